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
export { boxAreas, boxIou, pairIou } from './iou';
export { BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, DEFAULT_MATCH_OPTIONS, matchAnchors, type MatchOptions } from './matcher';
// Three matchers, one rule and identical labels: matchGridAnchors (what the detector uses: our anchor
// lattice, fastest), matchAnchors (torchvision's Matcher on a given IoU matrix: the reference form the
// specs check the others against), matchAnchorsToBoxes (any anchor set, no matrix). See the README.
export { matchAnchorsToBoxes } from './fused';
export { anchorGrid, matchGridAnchors, type AnchorGrid, type GridLevel } from './grid';
export { BBOX_XFORM_CLIP, DEFAULT_BOX_WEIGHTS, decodeBoxes, encodeBoxes, validBoxWeights, type BoxCoderWeights } from './box-coder';
export { clipBoxes, removeSmallBoxes, selectBoxes, xywhToXyxy, xyxyToXywh } from './boxes';
