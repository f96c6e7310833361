/**
 * The anchor configuration of an analysis as the `anchors` command takes it: one stride and one base
 * size per pyramid level, scales and ratios shared by every level (sizes = base × scale, truncated
 * like `@retina/anchors`). Checked here so that each problem names its flag.
 */
import { DEFAULT_LEVELS, DEFAULT_RATIOS, DEFAULT_SCALES, resolveAnchorConfig, type AnchorConfig, type ResolvedAnchorConfig } from '@retina/anchors';
import { CocoError } from '@retina/coco';

/** A bad flag or input of the anchor analysis (exit 2, one line). */
export class AnchorAnalysisError extends CocoError {}

/** Strides, base sizes, scales and ratios as flags give them; `strides[i]` = 2^level. */
export interface AnchorFlags {
  /** Stride of each pyramid level, powers of two. Default 8, 16, 32, 64, 128 (P3–P7). */
  strides: number[];
  /** Base anchor size of each level, one per stride. Default 4 × stride: 32 … 512. */
  sizes: number[];
  /** Multipliers of every base size. Default 2^0, 2^(1/3), 2^(2/3). */
  scales: number[];
  /** Aspect ratios h / w. Default 0.5, 1, 2. */
  ratios: number[];
  /** Anchor centres at stride × (i + offset). Default 0 (the reference). */
  offset: number;
}

/** The largest stride accepted: 2^12, the largest level `@retina/anchors` takes. */
const MAX_STRIDE = 4096;
/** Base size of a level relative to its stride in the RetinaNet defaults (32 on stride 8). */
const BASE_SIZE_PER_STRIDE = 4;

export const DEFAULT_ANCHOR_FLAGS: Readonly<AnchorFlags> = Object.freeze({
  strides: DEFAULT_LEVELS.map((l) => 2 ** l),
  sizes: DEFAULT_LEVELS.map((l) => BASE_SIZE_PER_STRIDE * 2 ** l),
  scales: [...DEFAULT_SCALES],
  ratios: [...DEFAULT_RATIOS],
  offset: 0,
});

/** A validated configuration in both forms: the flags' and the one `@retina/anchors` resolves. */
export interface CheckedAnchorConfig {
  flags: AnchorFlags;
  anchorConfig: AnchorConfig;
  resolved: ResolvedAnchorConfig;
}

function positiveValues(flag: string, values: readonly number[]): void {
  if (values.length === 0) throw new AnchorAnalysisError(`${flag}: needs at least one value`);
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new AnchorAnalysisError(`${flag}: value ${i + 1} must be a finite number > 0 (got ${v})`);
    }
  });
}

function checkStrides(strides: readonly number[]): void {
  positiveValues('--strides', strides);
  strides.forEach((s, i) => {
    if (s < 1 || s > MAX_STRIDE || !Number.isInteger(Math.log2(s))) {
      throw new AnchorAnalysisError(`--strides: value ${i + 1} must be a power of two from 1 to ${MAX_STRIDE} (got ${s})`);
    }
  });
}

/**
 * Fills in the defaults and checks every field: non-empty lists of finite positive numbers, strides
 * powers of two, one base size per stride, every size × scale at least 1 px after truncation (what
 * `resolveAnchorConfig` would refuse). Sizes default to 4 × stride when only strides are given.
 * Throws AnchorAnalysisError naming the flag.
 */
export function checkAnchorFlags(given: Partial<AnchorFlags> = {}): CheckedAnchorConfig {
  const strides = given.strides ?? DEFAULT_ANCHOR_FLAGS.strides;
  checkStrides(strides);
  const sizes = given.sizes ?? strides.map((s) => BASE_SIZE_PER_STRIDE * s);
  positiveValues('--sizes', sizes);
  if (sizes.length !== strides.length) {
    throw new AnchorAnalysisError(`--sizes: needs one base size per stride (${strides.length} strides: ${strides.join(' ')}; got ${sizes.length} sizes: ${sizes.join(' ')})`);
  }
  const scales = given.scales ?? DEFAULT_ANCHOR_FLAGS.scales;
  positiveValues('--scales', scales);
  const ratios = given.ratios ?? DEFAULT_ANCHOR_FLAGS.ratios;
  positiveValues('--ratios', ratios);
  for (const size of sizes) {
    for (const scale of scales) {
      if (Math.trunc(size * scale) < 1) throw new AnchorAnalysisError(`--sizes × --scales: ${size} × ${scale} truncates to 0 px; anchors need at least 1 px`);
    }
  }
  const offset = given.offset ?? DEFAULT_ANCHOR_FLAGS.offset;
  if (!(offset >= 0 && offset < 1)) throw new AnchorAnalysisError(`--offset: must be in [0, 1) (got ${offset})`);
  const flags: AnchorFlags = { strides: [...strides], sizes: [...sizes], scales: [...scales], ratios: [...ratios], offset };
  const anchorConfig: AnchorConfig = { levels: strides.map((s) => Math.log2(s)), baseSizes: flags.sizes, scales: flags.scales, ratios: flags.ratios, offset };
  return { flags, anchorConfig, resolved: resolveAnchorConfig(anchorConfig) };
}

/**
 * The same configuration as retina-train flags (`--min-level 3 --max-level 7 --anchor-sizes … --anchor-scales …
 * --anchor-ratios …`), or undefined when retina-train cannot take it: its pyramid levels are contiguous
 * (strides 2^min … 2^max, levels 2..9) and its anchor centres sit at offset 0.
 */
export function formatTrainFlags(flags: AnchorFlags): string | undefined {
  const levels = flags.strides.map((s) => Math.log2(s));
  const contiguous = levels.every((l, i) => i === 0 || l === levels[i - 1] + 1);
  if (!contiguous || levels[0] < 2 || levels[0] > 5 || levels[levels.length - 1] > 9 || flags.offset !== 0) return undefined;
  const list = (values: number[]) => values.map((v) => String(Number(v.toPrecision(4)))).join(' ');
  return `--min-level ${levels[0]} --max-level ${levels[levels.length - 1]} --anchor-sizes ${list(flags.sizes)} --anchor-scales ${list(flags.scales)} --anchor-ratios ${list(flags.ratios)}`;
}

/** The flags that reproduce a configuration, e.g. `--sizes 32 64 … --scales 1 1.26 1.587 --ratios 0.5 1 2`. */
export function formatAnchorFlags(flags: AnchorFlags): string {
  const list = (values: number[]) => values.map((v) => String(Number(v.toPrecision(4)))).join(' ');
  const parts = [`--strides ${list(flags.strides)}`, `--sizes ${list(flags.sizes)}`, `--scales ${list(flags.scales)}`, `--ratios ${list(flags.ratios)}`];
  if (flags.offset !== 0) parts.push(`--offset ${flags.offset}`);
  return parts.join(' ');
}
