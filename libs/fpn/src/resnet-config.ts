/**
 * ResNet backbone configuration: ResNet-18/34 (basic blocks), ResNet-50 (bottleneck blocks) and a
 * `narrow` ResNet-18 layout whose width and depth are free (trains on a small CPU).
 */
import { FpnConfigError } from './errors';
import type { NormKind } from './layers';

export type BackboneDepth = 18 | 34 | 50 | 'narrow';

export interface BackboneConfig {
  /** 18, 34, 50 or 'narrow'. */
  depth: BackboneDepth;
  /** Stage widths are width × (1, 2, 4, 8) (× 4 outputs for bottlenecks). Default 64; 'narrow': 32. */
  width?: number;
  /** Blocks per stage. Default by depth: 18 → [2,2,2,2], 34/50 → [3,4,6,3], 'narrow' → [2,2,2,2]. */
  blocks?: [number, number, number, number];
  /** Stem output channels. Default: `width`. */
  stemChannels?: number;
  /** Stem: 'resnet' (7×7/2 conv + 3×3/2 max-pool) or 'deep' (three 3×3 convs, the first /2, + max-pool). Default 'resnet'. */
  stem?: 'resnet' | 'deep';
  /**
   * Norm after every conv: 'bn' (batch statistics while training, synchronised over data-parallel
   * replicas; running statistics at test time — the default, as torchvision without pretrained
   * weights), 'frozen-bn' (running statistics always: for weights trained elsewhere) or 'gn' (group
   * norm, 32 groups of ≥ 4 channels).
   */
  norm?: NormKind;
  /** Older spelling: true = norm 'frozen-bn', false = 'bn' (models saved before `norm` existed). */
  frozenBn?: boolean;
  /**
   * Freeze the stem and the first stages: 0 nothing, 1 the stem, 2 stem + stage 1 (res2, detectron2's
   * default with pretrained weights), … 5 everything. Frozen parameters are not trainable. Default 0.
   */
  freezeAt?: number;
  /** Last norm of each residual branch starts at gamma 0 (block = identity at init). Default true. */
  zeroInitResidual?: boolean;
}

export interface ResolvedBackboneConfig {
  depth: BackboneDepth;
  width: number;
  blocks: [number, number, number, number];
  stemChannels: number;
  stem: 'resnet' | 'deep';
  norm: NormKind;
  freezeAt: number;
  zeroInitResidual: boolean;
  bottleneck: boolean;
}

const DEFAULT_BLOCKS: Record<string, [number, number, number, number]> = {
  '18': [2, 2, 2, 2],
  '34': [3, 4, 6, 3],
  '50': [3, 4, 6, 3],
  narrow: [2, 2, 2, 2],
};

function positiveInt(field: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new FpnConfigError(field, `must be an integer ≥ 1 (got ${v})`);
}

export function resolveBackboneConfig(c: BackboneConfig): ResolvedBackboneConfig {
  if (![18, 34, 50, 'narrow'].includes(c.depth)) throw new FpnConfigError('backbone.depth', `must be 18, 34, 50 or 'narrow' (got ${JSON.stringify(c.depth)})`);
  const width = c.width ?? (c.depth === 'narrow' ? 32 : 64);
  positiveInt('backbone.width', width);
  const blocks = c.blocks ?? DEFAULT_BLOCKS[String(c.depth)];
  if (!Array.isArray(blocks) || blocks.length !== 4) throw new FpnConfigError('backbone.blocks', `needs 4 stage depths (got ${JSON.stringify(blocks)})`);
  blocks.forEach((b, i) => positiveInt(`backbone.blocks[${i}]`, b));
  const stemChannels = c.stemChannels ?? width;
  positiveInt('backbone.stemChannels', stemChannels);
  const stem = c.stem ?? 'resnet';
  if (stem !== 'resnet' && stem !== 'deep') throw new FpnConfigError('backbone.stem', `must be 'resnet' or 'deep' (got ${JSON.stringify(stem)})`);
  if (stem === 'deep' && stemChannels % 2 !== 0) throw new FpnConfigError('backbone.stemChannels', `a deep stem needs an even number (got ${stemChannels})`);
  const norm = c.norm ?? (c.frozenBn === undefined ? 'bn' : c.frozenBn ? 'frozen-bn' : 'bn');
  if (!['bn', 'frozen-bn', 'gn'].includes(norm)) throw new FpnConfigError('backbone.norm', `must be 'bn', 'frozen-bn' or 'gn' (got ${JSON.stringify(norm)})`);
  const freezeAt = c.freezeAt ?? 0;
  if (!Number.isInteger(freezeAt) || freezeAt < 0 || freezeAt > 5) throw new FpnConfigError('backbone.freezeAt', `must be an integer in 0..5 (got ${freezeAt})`);
  return {
    depth: c.depth,
    width,
    blocks: [...blocks] as [number, number, number, number],
    stemChannels,
    stem,
    norm,
    freezeAt,
    zeroInitResidual: c.zeroInitResidual ?? true,
    bottleneck: c.depth === 50,
  };
}

/** Output channels of stage s (0..3): width·2^s, ×4 for bottleneck blocks. */
export function stageChannels(c: ResolvedBackboneConfig, stage: number): number {
  return c.width * Math.pow(2, stage) * (c.bottleneck ? 4 : 1);
}
