/**
 * The detector's configuration: one input type with documented defaults and one resolved,
 * JSON-serialisable object (`net.config`) read in one place (`resolveRetinaNetConfig`).
 */
import { anchorsPerLocation, DEFAULT_MATCH_OPTIONS, resolveAnchorConfig, type AnchorConfig, type MatchOptions } from '@retina/anchors';
import type { ClassificationLossKind, BoxLossType } from '@retina/focal-loss';
import { resolveBackboneConfig, resolveFpnConfig, type BackboneConfig, type FpnConfig, type ResolvedBackboneConfig, type ResolvedFpnConfig } from '@retina/fpn';
import { RetinaNetConfigError } from './errors';

export interface Category {
  /** COCO category id (written to results). */
  id: number;
  name: string;
}

export interface HeadConfig {
  /** 3×3 conv + ReLU layers per subnet. Default 4. */
  convs?: number;
  /** Channels of the subnets. Default: the FPN's channels. */
  channels?: number;
  /** Group norm after each subnet conv: false (default), true (32 groups) or the number of groups. */
  groupNorm?: boolean | number;
  /** Prior probability π of the class-subnet bias −log((1 − π) / π). Default 0.01. */
  prior?: number;
  /** Std of the normal init of the subnet weights. Default 0.01. */
  initStd?: number;
}

export interface LossConfig {
  /** 'focal' (default), 'balanced-ce' (alpha-weighted CE) or 'ce' (plain sigmoid CE). */
  kind?: ClassificationLossKind;
  /** Default 0.25 (not used by 'ce'). */
  alpha?: number;
  /** Default 2 ('focal' only). */
  gamma?: number;
  /** One alpha per class (overrides alpha). */
  perClassAlpha?: number[];
  /** Box loss: 'smooth-l1' (default), 'l1' or 'giou'. */
  box?: BoxLossType;
  /** Smooth-L1 transition. Default 1/9. */
  beta?: number;
  /** Weight of the box loss in the total. Default 1. */
  boxWeight?: number;
}

export interface PostprocessConfig {
  /** Candidates below this score are dropped. Default 0.05. */
  scoreThresh?: number;
  /** Best candidates kept per level before NMS. Default 1000. */
  topK?: number;
  /** Class-wise NMS IoU threshold. Default 0.5. */
  nmsIou?: number;
  /** Detections kept per image. Default 100. */
  maxDetections?: number;
}

/** The size images are resized to at test time (shorter side, then a cap on the longer side), in px. */
export interface TestSizeConfig {
  /** Default 320. The trainer saves its (largest) training shorter side here. */
  shortSide?: number;
  /** Default 512. */
  maxSize?: number;
}

/** Test size of configs that do not set one (and of models saved before it was saved with them). */
export const DEFAULT_TEST_SIZE: Readonly<Required<TestSizeConfig>> = { shortSide: 320, maxSize: 512 };

export interface NormalizationConfig {
  /** Per-channel RGB mean subtracted from 0..255 inputs. Default ImageNet's [123.675, 116.28, 103.53]. */
  mean?: [number, number, number];
  /** Per-channel RGB std. Default [58.395, 57.12, 57.375]. */
  std?: [number, number, number];
}

export interface RetinaNetConfigInput {
  /** Number of object classes C, WITHOUT a background class (sigmoid outputs, one per class). */
  numClasses: number;
  /** COCO categories; contiguous class index = position in this list. */
  categories?: Category[];
  /** Initialisation seed: the same seed gives identical weights. Default 0. */
  seed?: number;
  backbone: BackboneConfig;
  fpn?: FpnConfig;
  head?: HeadConfig;
  /** Passed to @retina/anchors; levels default to the FPN's levels. */
  anchors?: AnchorConfig;
  /** `@retina/anchors`' matcher settings; defaults `DEFAULT_MATCH_OPTIONS` (0.5 / 0.4 / low-quality on). */
  matcher?: MatchOptions;
  loss?: LossConfig;
  postprocess?: PostprocessConfig;
  normalization?: NormalizationConfig;
  testSize?: TestSizeConfig;
}

export interface RetinaNetConfig {
  numClasses: number;
  categories?: Category[];
  seed: number;
  backbone: ResolvedBackboneConfig;
  fpn: ResolvedFpnConfig;
  head: Required<Omit<HeadConfig, 'groupNorm'>> & { groupNorm: number };
  anchors: AnchorConfig & { levels: number[] };
  matcher: Required<MatchOptions>;
  loss: Required<Omit<LossConfig, 'perClassAlpha'>> & { perClassAlpha?: number[] };
  postprocess: Required<PostprocessConfig>;
  normalization: Required<NormalizationConfig>;
  testSize: Required<TestSizeConfig>;
}

function check(ok: boolean, field: string, message: string): void {
  if (!ok) throw new RetinaNetConfigError(field, message);
}

function resolveHead(h: HeadConfig, fpnChannels: number): RetinaNetConfig['head'] {
  const r = {
    convs: h.convs ?? 4,
    channels: h.channels ?? fpnChannels,
    groupNorm: h.groupNorm === true ? 32 : h.groupNorm === false || h.groupNorm === undefined ? 0 : h.groupNorm,
    prior: h.prior ?? 0.01,
    initStd: h.initStd ?? 0.01,
  };
  check(Number.isInteger(r.convs) && r.convs >= 0, 'head.convs', `must be an integer ≥ 0 (got ${r.convs})`);
  check(Number.isInteger(r.channels) && r.channels >= 1, 'head.channels', `must be an integer ≥ 1 (got ${r.channels})`);
  check(Number.isInteger(r.groupNorm) && r.groupNorm >= 0 && (r.groupNorm === 0 || r.channels % r.groupNorm === 0), 'head.groupNorm', `groups must divide head.channels ${r.channels} (got ${r.groupNorm})`);
  check(r.prior > 0 && r.prior < 1, 'head.prior', `must be in (0, 1) (got ${r.prior})`);
  check(r.initStd > 0, 'head.initStd', `must be > 0 (got ${r.initStd})`);
  return r;
}

function resolveLoss(l: LossConfig, numClasses: number): RetinaNetConfig['loss'] {
  const r = { kind: l.kind ?? 'focal', alpha: l.alpha ?? 0.25, gamma: l.gamma ?? 2, box: l.box ?? 'smooth-l1', beta: l.beta ?? 1 / 9, boxWeight: l.boxWeight ?? 1 };
  check(['focal', 'ce', 'balanced-ce'].includes(r.kind), 'loss.kind', `must be 'focal', 'ce' or 'balanced-ce' (got ${JSON.stringify(r.kind)})`);
  check(['smooth-l1', 'l1', 'giou'].includes(r.box), 'loss.box', `must be 'smooth-l1', 'l1' or 'giou' (got ${JSON.stringify(r.box)})`);
  check(r.gamma >= 0, 'loss.gamma', `must be ≥ 0 (got ${r.gamma})`);
  check(r.beta >= 0, 'loss.beta', `must be ≥ 0 (got ${r.beta})`);
  check(r.boxWeight >= 0, 'loss.boxWeight', `must be ≥ 0 (got ${r.boxWeight})`);
  if (l.perClassAlpha !== undefined) {
    check(l.perClassAlpha.length === numClasses, 'loss.perClassAlpha', `needs one value per class (${numClasses}, got ${l.perClassAlpha.length})`);
    return { ...r, perClassAlpha: [...l.perClassAlpha] };
  }
  return r;
}

function resolvePostprocess(p: PostprocessConfig): RetinaNetConfig['postprocess'] {
  const r = { scoreThresh: p.scoreThresh ?? 0.05, topK: p.topK ?? 1000, nmsIou: p.nmsIou ?? 0.5, maxDetections: p.maxDetections ?? 100 };
  check(r.scoreThresh >= 0 && r.scoreThresh < 1, 'postprocess.scoreThresh', `must be in [0, 1) (got ${r.scoreThresh})`);
  check(Number.isInteger(r.topK) && r.topK >= 1, 'postprocess.topK', `must be an integer ≥ 1 (got ${r.topK})`);
  check(r.nmsIou > 0 && r.nmsIou <= 1, 'postprocess.nmsIou', `must be in (0, 1] (got ${r.nmsIou})`);
  check(Number.isInteger(r.maxDetections) && r.maxDetections >= 1, 'postprocess.maxDetections', `must be an integer ≥ 1 (got ${r.maxDetections})`);
  return r;
}

function resolveNormalization(n: NormalizationConfig): RetinaNetConfig['normalization'] {
  const r = { mean: n.mean ?? [123.675, 116.28, 103.53], std: n.std ?? [58.395, 57.12, 57.375] } as RetinaNetConfig['normalization'];
  check(r.mean.length === 3 && r.mean.every(Number.isFinite), 'normalization.mean', `needs 3 finite numbers (got ${JSON.stringify(r.mean)})`);
  check(r.std.length === 3 && r.std.every((s) => s > 0), 'normalization.std', `needs 3 numbers > 0 (got ${JSON.stringify(r.std)})`);
  return { mean: [...r.mean], std: [...r.std] } as RetinaNetConfig['normalization'];
}

function resolveTestSize(t: TestSizeConfig): RetinaNetConfig['testSize'] {
  const r = { shortSide: t.shortSide ?? DEFAULT_TEST_SIZE.shortSide, maxSize: t.maxSize ?? DEFAULT_TEST_SIZE.maxSize };
  check(Number.isFinite(r.shortSide) && r.shortSide > 0, 'testSize.shortSide', `must be a number > 0 (got ${r.shortSide})`);
  check(Number.isFinite(r.maxSize) && r.maxSize > 0, 'testSize.maxSize', `must be a number > 0 (got ${r.maxSize})`);
  return r;
}

function resolveCategories(c: Category[] | undefined, numClasses: number): Category[] | undefined {
  if (c === undefined) return undefined;
  check(c.length === numClasses, 'categories', `needs one entry per class (numClasses ${numClasses}, got ${c.length})`);
  const ids = new Set<number>();
  c.forEach((cat, i) => {
    check(Number.isInteger(cat.id) && typeof cat.name === 'string', `categories[${i}]`, `needs an integer id and a name (got ${JSON.stringify(cat)})`);
    check(!ids.has(cat.id), `categories[${i}].id`, `duplicate id ${cat.id}`);
    ids.add(cat.id);
  });
  return c.map((cat) => ({ id: cat.id, name: cat.name }));
}

export function resolveRetinaNetConfig(c: RetinaNetConfigInput): RetinaNetConfig {
  check(Number.isInteger(c.numClasses) && c.numClasses >= 1, 'numClasses', `must be an integer ≥ 1, background not counted (got ${c.numClasses})`);
  check(c.backbone !== undefined, 'backbone', "is required (e.g. { depth: 'narrow' })");
  const fpn = resolveFpnConfig(c.fpn);
  const fpnLevels = Array.from({ length: fpn.maxLevel - fpn.minLevel + 1 }, (_, i) => fpn.minLevel + i);
  const anchors = { ...c.anchors, levels: c.anchors?.levels ?? fpnLevels };
  check(anchors.levels.join() === fpnLevels.join(), 'anchors.levels', `must equal the FPN levels [${fpnLevels}] (got [${anchors.levels}])`);
  resolveAnchorConfig(anchors);
  anchorsPerLocation(anchors);
  const seed = c.seed ?? 0;
  check(Number.isFinite(seed), 'seed', `must be a finite number (got ${seed})`);
  const m = c.matcher ?? {};
  const d = DEFAULT_MATCH_OPTIONS;
  const matcher = { high: m.high ?? d.high, low: m.low ?? d.low, allowLowQuality: m.allowLowQuality ?? d.allowLowQuality };
  check(matcher.low >= 0 && matcher.low <= matcher.high && matcher.high <= 1, 'matcher', `need 0 ≤ low ≤ high ≤ 1 (got low ${matcher.low}, high ${matcher.high})`);
  const categories = resolveCategories(c.categories, c.numClasses);
  return {
    numClasses: c.numClasses,
    ...(categories ? { categories } : {}),
    seed,
    backbone: resolveBackboneConfig(c.backbone),
    fpn,
    head: resolveHead(c.head ?? {}, fpn.channels),
    anchors,
    matcher,
    loss: resolveLoss(c.loss ?? {}, c.numClasses),
    postprocess: resolvePostprocess(c.postprocess ?? {}),
    normalization: resolveNormalization(c.normalization ?? {}),
    testSize: resolveTestSize(c.testSize ?? {}),
  };
}
