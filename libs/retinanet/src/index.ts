// tfjs-core's Node bundle ships without gradient functions; tfjs-layers registers all of them.
import '@tensorflow/tfjs-layers';
export { RetinaNetConfigError, RetinaNetInputError, RetinaNetModelError } from './errors';
export {
  DEFAULT_TEST_SIZE,
  resolveRetinaNetConfig,
  type Category,
  type HeadConfig,
  type LossConfig,
  type MatcherConfig,
  type NormalizationConfig,
  type PostprocessConfig,
  type RetinaNetConfig,
  type RetinaNetConfigInput,
  type TestSizeConfig,
} from './config';
export { RetinaNetHead, type HeadOutputs } from './head';
export { assignTargets, type BatchTargets, type ImageTargets } from './targets';
export { batchedNms } from './nms';
export { postprocessImage, type Detection, type ImageMeta, type ImageOutputs } from './postprocess';
export { RetinaNet, createRetinaNet, type Losses } from './model';
export { MODEL_FORMAT, assignWeights, loadRetinaNet, readRetinaNetConfig, saveRetinaNet, type LoadRetinaNetOptions, type SavedMetadata } from './io';
export { detectAll, type CocoDetection, type InferenceBatch, type Predictor } from './detect-batches';
export { REPLICA_MODULE, createReplica, replicaOf, splitBatch, trainedVariables, type ReplicaOptions, type TrainShard } from './replica';
