export { DataParallel, defaultWorkers, type DataParallelOptions } from './data-parallel';
export { DataParallelError } from './errors';
export type { ParallelGradients, Replica, ReplicaFactory, ReplicaSpec, ShardLoss, ShardResult } from './types';
