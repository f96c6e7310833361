/**
 * @retina/retinanet/node: everything in `@retina/retinanet` plus what needs Node — save / load / export in a
 * directory (model-dir.ts, through @retina/engine/node) and the detector as a data-parallel replica
 * (replica.ts: worker threads load it by file path).
 */
export * from './index';
export { exportRetinaNet, loadRetinaNet, readRetinaNetConfig, saveRetinaNet, type ExportReport } from './model-dir';
export { REPLICA_MODULE, createReplica, replicaOf, splitBatch, trainedVariables, type ReplicaOptions, type TrainShard } from './replica';
