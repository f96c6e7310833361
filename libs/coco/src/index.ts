export * from './errors';
export * from './types';
export { Rng, hashInts } from './random';
export { bboxToXyxy, xyxyToBbox, clipBox } from './boxes';
export { CategoryMap, CategoryMapError, type CategoryMapJson } from './annotations/category-map';
export { CocoDataset } from './annotations/dataset';
export { loadCocoDataset, checkImageFiles, DEFAULT_STREAM_THRESHOLD_BYTES, type LoadOptions } from './annotations/load';
export { fileNameProblem, imagePath } from './annotations/paths';
export {
  decodeImage,
  readImageFile,
  DEFAULT_MAX_PIXELS,
  SUPPORTED_FORMATS,
  type DecodeOptions,
  type DecodedImage,
  type ImageFile,
  type RgbImage,
} from './images/decode';
export { orientBoxes, orientedSize, swapsAxes } from './images/orientation';
export {
  resizeScale,
  scaledSize,
  paddedSize,
  resizeBoxes,
  hflipBoxes,
  hflipImage,
  boxesLargerThan,
  colorJitter,
  sampleColorFactors,
  type Size,
  type ColorFactors,
  type ColorJitterOptions,
} from './images/transforms';
export { epochBatches, type SamplerOptions } from './loading/sampler';
export { collate, type Batch, type ImageTarget } from './loading/collate';
export type { SampleTargets } from './images/sample';
export { type DataLoaderOptions } from './loading/loader-options';
export type { SubsetOptions } from './annotations/subset';
export {
  createDataLoader,
  createEvalLoader,
  type DataLoader,
  type EvalLoaderOptions,
  type LoaderStats,
} from './loading/loader';
export { verifyImages, type ImageProblem, type VerifyOptions, type VerifyReport } from './images/verify-images';
export { annotationFrame } from './images/frame';
export { mapConcurrent, Limiter } from './loading/concurrency';
