/**
 * Anchor configuration: which pyramid levels, which sizes, which aspect ratios, where centres sit.
 * Defaults are RetinaNet's (and torchvision's `retinanet_resnet50_fpn`).
 */
import { UserError } from '@retina/errors';

export interface AnchorConfig {
  /** Pyramid levels; level l has stride 2^l. Default [3, 4, 5, 6, 7]. */
  levels?: number[];
  /** Base size of each level, one per level. Default 2^(l + 2): 32, 64, 128, 256, 512. */
  baseSizes?: number[];
  /**
   * Scales applied to each base size. Default (2^0, 2^(1/3), 2^(2/3)). Like the reference, the
   * resulting sizes are truncated to integers: 32 → (32, 40, 50).
   */
  scales?: number[];
  /**
   * Explicit absolute sizes instead of baseSizes × scales (give one or the other): one list per level,
   * all of the same length (one head predicts for every level).
   */
  sizes?: number[][];
  /** Aspect ratios h / w. Default (0.5, 1, 2). */
  ratios?: number[];
  /** Anchor centres at stride × (i + offset). Default 0 (the reference); 0.5 = pixel centres. */
  offset?: number;
}

/** A validated AnchorConfig with every default filled in. */
export interface ResolvedAnchorConfig {
  levels: number[];
  strides: number[];
  /** [level][size] absolute anchor sizes. */
  sizes: number[][];
  ratios: number[];
  offset: number;
}

export const DEFAULT_LEVELS = [3, 4, 5, 6, 7];
export const DEFAULT_SCALES = [1, Math.pow(2, 1 / 3), Math.pow(2, 2 / 3)];
export const DEFAULT_RATIOS = [0.5, 1, 2];

/** Highest pyramid level accepted (stride 4096). */
const MAX_LEVEL = 12;

const KNOWN_FIELDS = ['levels', 'baseSizes', 'scales', 'sizes', 'ratios', 'offset'];

/** A bad AnchorConfig; `field` names the offending field (e.g. `ratios[1]`). */
export class AnchorConfigError extends UserError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`anchor config: ${field}: ${message}`);
    this.name = 'AnchorConfigError';
  }
}

function checkFields(config: AnchorConfig): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new AnchorConfigError('(config)', `must be an object (got ${JSON.stringify(config)})`);
  }
  for (const key of Object.keys(config)) {
    if (!KNOWN_FIELDS.includes(key)) throw new AnchorConfigError(key, `unknown field (known: ${KNOWN_FIELDS.join(', ')})`);
  }
}

function positiveList(field: string, values: number[]): void {
  if (!Array.isArray(values) || values.length === 0) throw new AnchorConfigError(field, 'must be a non-empty list');
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new AnchorConfigError(`${field}[${i}]`, `must be a finite number > 0 (got ${v})`);
    }
  });
}

function resolveLevels(levels: number[]): number[] {
  if (!Array.isArray(levels) || levels.length === 0) throw new AnchorConfigError('levels', 'must be a non-empty list');
  levels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l > MAX_LEVEL) {
      throw new AnchorConfigError(`levels[${i}]`, `must be an integer in 0..${MAX_LEVEL} (got ${l})`);
    }
  });
  return [...levels];
}

/** [level][size] absolute sizes, from explicit `sizes` or from baseSizes × scales (truncated like the reference). */
function resolveSizes(config: AnchorConfig, levels: number[]): number[][] {
  if (config.sizes === undefined) {
    const baseSizes = config.baseSizes ?? levels.map((l) => Math.pow(2, l + 2));
    positiveList('baseSizes', baseSizes);
    if (baseSizes.length !== levels.length) {
      throw new AnchorConfigError('baseSizes', `needs one size per level (${levels.length} levels, got ${baseSizes.length})`);
    }
    const scales = config.scales ?? DEFAULT_SCALES;
    positiveList('scales', scales);
    return baseSizes.map((b, i) =>
      scales.map((s, j) => {
        const size = Math.trunc(b * s);
        if (size <= 0) throw new AnchorConfigError(`baseSizes[${i}] × scales[${j}]`, `truncates to ${size} px; anchors need at least 1 px`);
        return size;
      }),
    );
  }
  if (config.baseSizes !== undefined || config.scales !== undefined) {
    throw new AnchorConfigError('sizes', 'give either sizes or baseSizes/scales, not both');
  }
  const sizes = config.sizes;
  if (!Array.isArray(sizes) || sizes.length !== levels.length) {
    throw new AnchorConfigError('sizes', `needs one list per level (${levels.length} levels, got ${Array.isArray(sizes) ? sizes.length : typeof sizes})`);
  }
  sizes.forEach((row, i) => positiveList(`sizes[${i}]`, row));
  if (sizes.some((row) => row.length !== sizes[0].length)) {
    throw new AnchorConfigError('sizes', `every level needs the same number of sizes (one head predicts for all levels; got ${sizes.map((r) => r.length).join(', ')})`);
  }
  return sizes.map((row) => [...row]);
}

/** Validates `config` and fills in the defaults; throws AnchorConfigError naming the bad field. */
export function resolveAnchorConfig(config: AnchorConfig = {}): ResolvedAnchorConfig {
  checkFields(config);
  const levels = resolveLevels(config.levels ?? DEFAULT_LEVELS);
  const ratios = config.ratios ?? DEFAULT_RATIOS;
  positiveList('ratios', ratios);
  const offset = config.offset ?? 0;
  if (!(offset >= 0 && offset < 1)) throw new AnchorConfigError('offset', `must be in [0, 1) (got ${offset})`);
  const sizes = resolveSizes(config, levels);
  return { levels, strides: levels.map((l) => Math.pow(2, l)), sizes, ratios: [...ratios], offset };
}
