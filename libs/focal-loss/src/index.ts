// tfjs-core's Node bundle ships without gradient functions; tfjs-layers registers all of them
// (core's own register_all_gradients is ESM-only, which CommonJS cannot require).
import '@tensorflow/tfjs-layers';

export { LossArgumentError } from './errors';
export {
  sigmoidFocalLoss,
  sigmoidCrossEntropy,
  type FocalOptions,
  type CrossEntropyOptions,
  type Reduction,
} from './sigmoid-focal';
export { retinaNetClassificationLoss, type ClassificationLossKind, type ClassificationLossOptions } from './retinanet-loss';
export { LABEL_BACKGROUND, LABEL_IGNORE, countPositives, positivesPerImage, type LabelsInput } from './labels';
export {
  EmaNormalizer,
  createEmaNormalizer,
  restoreEmaNormalizer,
  type EmaNormalizerState,
  type Normalizer,
} from './normalizer';
export { boxRegressionLoss, type BoxLossOptions, type BoxLossType } from './box-loss';
export { decodeDeltas, giouLoss } from './decode-deltas';
export {
  classBalancedAlpha,
  classBalancedWeights,
  type ClassAlphaOptions,
  type ClassWeightMethod,
  type ClassWeightOptions,
} from './class-weights';
export { softmaxFocalLoss, type SoftmaxFocalOptions } from './softmax-focal';
