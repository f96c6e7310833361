/**
 * Anchor generation in the reference layout: level, then location (row-major: y, then x), then base
 * anchor (ratio-major, then size — torchvision's `AnchorGenerator.generate_anchors` order).
 */
import { resolveAnchorConfig, type AnchorConfig, type ResolvedAnchorConfig } from './config';
import { AnchorArgumentError, type BoxesXyxy } from './types';

/** torch.round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Base anchors of one level centred on (0, 0), [ratios.length * sizes.length * 4], computed in float32
 * and rounded like the reference.
 */
export function baseAnchors(sizes: number[], ratios: number[]): BoxesXyxy {
  const f = Math.fround;
  const out = new Float32Array(ratios.length * sizes.length * 4);
  let k = 0;
  for (const ratio of ratios) {
    const hRatio = f(Math.sqrt(f(ratio)));
    const wRatio = f(1 / hRatio);
    for (const size of sizes) {
      const w = f(wRatio * f(size));
      const h = f(hRatio * f(size));
      out[k++] = roundHalfEven(f(-w / 2));
      out[k++] = roundHalfEven(f(-h / 2));
      out[k++] = roundHalfEven(f(w / 2));
      out[k++] = roundHalfEven(f(h / 2));
    }
  }
  return out;
}

/** Feature-map size of a level: what a chain of stride-2 'same' convolutions produces. */
export function featureSize(imageSize: number, stride: number): number {
  return Math.ceil(imageSize / stride);
}

function checkImageSize(fn: string, h: number, w: number): void {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) {
    throw new AnchorArgumentError(fn, `imageHeight × imageWidth must be positive integers (got ${h} × ${w})`);
  }
}

function levelCounts(imageHeight: number, imageWidth: number, c: ResolvedAnchorConfig): number[] {
  return c.strides.map((s, i) => featureSize(imageHeight, s) * featureSize(imageWidth, s) * c.ratios.length * c.sizes[i].length);
}

/** Number of anchors on each level for a padded image of imageHeight × imageWidth. */
export function anchorsPerLevel(imageHeight: number, imageWidth: number, config?: AnchorConfig): number[] {
  checkImageSize('anchorsPerLevel', imageHeight, imageWidth);
  return levelCounts(imageHeight, imageWidth, resolveAnchorConfig(config));
}

/** Anchors per feature-map location (the head's A): ratios × sizes per level. Default 9. */
export function anchorsPerLocation(config?: AnchorConfig): number {
  const c = resolveAnchorConfig(config);
  return c.ratios.length * c.sizes[0].length;
}

/**
 * All anchors of a padded image of imageHeight × imageWidth, levels concatenated, xyxy. Level l has
 * ceil(imageHeight / 2^l) × ceil(imageWidth / 2^l) locations (what stride-2 'same' convolutions give)
 * at stride 2^l, also when a size is not a multiple of 2^l. (torchvision derives the stride as
 * size // featureSize instead; both agree on our padded sizes, multiples of 128.)
 * @returns Float32Array [numAnchors * 4]
 */
export function generateAnchors(imageHeight: number, imageWidth: number, config?: AnchorConfig): BoxesXyxy {
  checkImageSize('generateAnchors', imageHeight, imageWidth);
  const c = resolveAnchorConfig(config);
  const out = new Float32Array(levelCounts(imageHeight, imageWidth, c).reduce((a, b) => a + b, 0) * 4);
  let k = 0;
  c.strides.forEach((stride, level) => {
    const base = baseAnchors(c.sizes[level], c.ratios);
    const fh = featureSize(imageHeight, stride);
    const fw = featureSize(imageWidth, stride);
    for (let y = 0; y < fh; y++) {
      const cy = stride * (y + c.offset);
      for (let x = 0; x < fw; x++) {
        const cx = stride * (x + c.offset);
        for (let b = 0; b < base.length; b += 4) {
          out[k++] = cx + base[b];
          out[k++] = cy + base[b + 1];
          out[k++] = cx + base[b + 2];
          out[k++] = cy + base[b + 3];
        }
      }
    }
  });
  return out;
}
