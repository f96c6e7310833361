export * from './errors';
export * from './types';
export { Rng, hashInts } from './random';
export { xywhToXyxy, xyxyToXywh, clipBox } from './boxes';
export { CategoryMap, CategoryMapError, type CategoryMapJson } from './category-map';
export { CocoDataset } from './dataset';
export { loadCocoDataset, checkImageFiles, DEFAULT_STREAM_THRESHOLD_BYTES, type LoadOptions } from './load';
export { fileNameProblem, imagePath } from './paths';
export {
  decodeImage,
  readImageFile,
  DEFAULT_MAX_PIXELS,
  SUPPORTED_FORMATS,
  type DecodeOptions,
  type DecodedImage,
  type ImageFile,
  type RgbImage,
} from './decode';
export { orientBoxes, orientedSize, swapsAxes } from './orientation';
export {
  resizeScale,
  scaledSize,
  paddedSize,
  resizeBoxes,
  hflipBoxes,
  hflipImage,
  nonDegenerate,
  colorJitter,
  sampleColorFactors,
  type Size,
  type ColorFactors,
  type ColorJitterOptions,
} from './transforms';
export { epochBatches, type SamplerOptions } from './sampler';
export { collate, type Batch, type ImageTarget } from './collate';
export { type DataLoaderOptions } from './loader-options';
export type { SubsetOptions } from './subset';
export {
  createDataLoader,
  createEvalLoader,
  type DataLoader,
  type EvalLoaderOptions,
  type LoaderStats,
} from './loader';
export { verifyImages, type ImageProblem, type VerifyOptions, type VerifyReport } from './verify-images';
export { annotationFrame } from './frame';
export { mapConcurrent, Limiter } from './concurrency';
