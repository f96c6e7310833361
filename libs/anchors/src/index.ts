export { AnchorArgumentError, type BoxDeltas, type BoxesXywh, type BoxesXyxy } from './types';
export {
  AnchorConfigError,
  DEFAULT_LEVELS,
  DEFAULT_RATIOS,
  DEFAULT_SCALES,
  resolveAnchorConfig,
  type AnchorConfig,
  type ResolvedAnchorConfig,
} from './config';
export { anchorsPerLevel, anchorsPerLocation, baseAnchors, featureSize, generateAnchors } from './generate';
export { boxAreas, boxIou } from './iou';
export { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, matchAnchors, type MatchOptions } from './matcher';
export { matchAnchorsToBoxes } from './fused';
export { anchorGrid, matchGridAnchors, type AnchorGrid, type GridLevel } from './grid';
export { BBOX_XFORM_CLIP, DEFAULT_BOX_WEIGHTS, decodeBoxes, encodeBoxes, type BoxCoderWeights } from './box-coder';
export { clipBoxes, removeSmallBoxes, selectBoxes, xywhToXyxy, xyxyToXywh } from './boxes';
