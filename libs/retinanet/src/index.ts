/**
 * @retina/retinanet: the detector — browser-safe (tfjs ops, typed arrays, `fetch`). Save / load in a directory
 * and the data-parallel replica are `@retina/retinanet/node` (node.ts), which re-exports all of this too.
 */
// tfjs-core's Node bundle ships without gradient functions; tfjs-layers registers all of them.
import '@tensorflow/tfjs-layers';
export { RetinaNetConfigError, RetinaNetInputError, RetinaNetModelError } from './errors';
export {
  DEFAULT_TEST_SIZE,
  resolveRetinaNetConfig,
  type Category,
  type HeadConfig,
  type LossConfig,
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
export { MODEL_FORMAT, assignWeights, restoreRetinaNet, savedConfig, savedForm, type LoadRetinaNetOptions, type SavedMetadata } from './io';
export { detectAll, type CocoDetection, type InferenceBatch, type Predictor } from './detect-batches';
export {
  BOX_DECIMALS,
  SCORE_DECIMALS,
  aboveThreshold,
  categoryTable,
  detectImage,
  prepareImage,
  type DetectImageOptions,
  type PreparedImage,
  type ReportedDetection,
} from './detect-image';
export { loadRetinaNetFromUrl, type LoadFromUrlOptions } from './load-url';
