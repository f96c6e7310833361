/**
 * @retina/fpn/node: everything in `@retina/fpn` plus what needs Node — loading pretrained backbone
 * weights from a directory (pretrained-dir.ts, through @retina/engine/node).
 */
export * from './index';
export { loadPretrainedBackbone } from './pretrained-dir';
