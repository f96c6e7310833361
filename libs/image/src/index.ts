/**
 * @retina/image: RGB images as typed arrays, with no engine and no Node built-in (browser-safe) —
 * test-time sizes, the resize that `retina-eval predict` and the web page share, RGBA → RGB, and the
 * box palette of drawn detections.
 */
export { ImageInputError } from './errors';
export { BOX_COLORS, boxColor } from './palette';
export { resizeRgb } from './resize';
export { rgbFromRgba } from './rgba';
export { paddedSize, resizeScale, scaledSize } from './sizes';
export type { RgbImage, Size } from './types';
