/**
 * The detector: backbone → FPN → shared head, with target assignment and losses for training
 * (`computeLosses`, usable inside `tf.variableGrads`) and post-processed detections (`predict`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { anchorGrid, anchorsPerLevel, anchorsPerLocation, type AnchorGrid } from '@retina/anchors';
import { boxRegressionLoss, retinaNetClassificationLoss } from '@retina/focal-loss';
import { Backbone, Fpn, ParamStore, withCrossReplica } from '@retina/fpn';
import { resolveRetinaNetConfig, type RetinaNetConfig, type RetinaNetConfigInput } from './config';
import { RetinaNetInputError } from './errors';
import { RetinaNetHead, type HeadOutputs } from './head';
import { postprocessImage, type Detection, type ImageMeta } from './postprocess';
import { assignTargets, type ImageTargets } from './targets';

export interface Losses {
  /** cls + boxWeight · box */
  total: tf.Scalar;
  cls: tf.Scalar;
  box: tf.Scalar;
  /** Positive anchors in the batch (the normalizer is max(1, numPositive)). */
  numPositive: number;
}

/** Anchors of a padded input size, cached (anchors depend only on H × W and the config). */
class AnchorCache {
  private readonly grids = new Map<string, AnchorGrid>();

  constructor(private readonly config: RetinaNetConfig['anchors']) {}

  get(h: number, w: number): AnchorGrid {
    const key = `${h}x${w}`;
    let g = this.grids.get(key);
    if (!g) {
      if (this.grids.size >= 16) this.grids.delete(this.grids.keys().next().value as string);
      g = anchorGrid(h, w, this.config);
      this.grids.set(key, g);
    }
    return g;
  }
}

export class RetinaNet {
  /** The resolved configuration (JSON-serialisable; saved with the weights). */
  readonly config: RetinaNetConfig;
  readonly store: ParamStore;
  readonly backbone: Backbone;
  readonly fpn: Fpn;
  readonly head: RetinaNetHead;
  private readonly anchors: AnchorCache;

  constructor(input: RetinaNetConfigInput) {
    const config = resolveRetinaNetConfig(input);
    this.config = config;
    this.store = new ParamStore(config.seed);
    this.backbone = new Backbone(config.backbone, this.store);
    this.fpn = new Fpn(this.backbone, config.fpn);
    this.head = new RetinaNetHead(this.store, config.fpn.channels, anchorsPerLocation(config.anchors), config.numClasses, config.head);
    this.anchors = new AnchorCache(config.anchors);
  }

  /** Trainable variables (names like `backbone/stem/conv/kernel`, `fpn/…`, `head/…`). */
  get variables(): tf.Variable[] {
    return this.store.trainable();
  }

  /** Non-trainable state: batch-norm running statistics and frozen parameters. */
  get stateVariables(): tf.Variable[] {
    return this.store.state();
  }

  /** Whether weight decay applies to a variable: false for norm parameters and biases. */
  weightDecayMask(name: string): boolean {
    return this.store.byVariableName(name)?.kind === 'kernel';
  }

  /** Anchors [A * 4] of a padded input size, in head-output order. */
  anchorsFor(height: number, width: number): AnchorGrid {
    return this.anchors.get(height, width);
  }

  /**
   * Head outputs of images [B, H, W, 3] (RGB 0..255; H, W multiples of 128).
   * @returns logits [B, A, C], deltas [B, A, 4] in @retina/anchors' order
   */
  forward(images: tf.Tensor4D, training = false): HeadOutputs {
    this.checkImages('forward', images);
    return tf.tidy(() => {
      const { mean, std } = this.config.normalization;
      const x = tf.div(tf.sub(images, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
      const out = this.head.apply(this.fpn.apply(x, training), this.fpn.levelNames);
      return out as unknown as tf.TensorContainerObject;
    }) as unknown as HeadOutputs;
  }

  /**
   * Losses of a batch. Target assignment runs on typed arrays; the tensors are recorded by any
   * enclosing gradient tape (`tf.variableGrads(() => net.computeLosses(x, t).total)`).
   * @param images [B, H, W, 3] RGB 0..255, H and W multiples of 128
   * @param targets one per image, boxes in input pixels
   * @param opts.replicaSums element-wise sums over the data-parallel replicas of this step: batch norm
   *   then normalises with the whole batch's statistics (synchronised BN); this replica's weight in the
   *   combined loss is its normalizer max(1, positives)
   */
  computeLosses(images: tf.Tensor4D, targets: readonly ImageTargets[], opts: { training?: boolean; replicaSums?: { sum(values: Float64Array): Float64Array } } = {}): Losses {
    this.checkImages('computeLosses', images);
    if (targets.length !== images.shape[0]) throw new RetinaNetInputError('computeLosses', `need one target per image (images [${images.shape}], ${targets.length} targets)`);
    const [, h, w] = images.shape;
    const grid = this.anchors.get(h, w);
    const t = assignTargets(grid, targets, this.config.numClasses, this.config.matcher);
    const normalizer = Math.max(1, t.numPositive);
    const sums = opts.replicaSums;
    const sync = sums ? { sum: (v: Float64Array) => sums.sum(v), lossWeight: normalizer } : undefined;
    const parts = tf.tidy(() => this.lossesOf(withCrossReplica(sync, () => this.forward(images, opts.training ?? true)), grid, t));
    return { ...parts, numPositive: t.numPositive };
  }

  /**
   * Validation of a batch with one forward pass (batch norm on its running statistics): the losses, as
   * `computeLosses` gives them, and the detections, as `predict` gives them.
   * @param targets one per image: the boxes in input pixels and how the input relates to the original image
   */
  async lossesAndDetections(images: tf.Tensor4D, targets: readonly (ImageTargets & ImageMeta)[]): Promise<{ losses: { total: number; cls: number; box: number }; detections: Detection[][] }> {
    this.checkImages('lossesAndDetections', images);
    this.checkMetas('lossesAndDetections', images, targets);
    const [, h, w] = images.shape;
    const grid = this.anchors.get(h, w);
    const t = assignTargets(grid, targets, this.config.numClasses, this.config.matcher);
    const out = this.forward(images, false);
    const parts = tf.tidy(() => {
      const l = this.lossesOf(out, grid, t);
      return tf.stack([l.total, l.cls, l.box]);
    });
    const [total, cls, box] = await parts.data();
    parts.dispose();
    return { losses: { total, cls, box }, detections: await this.detectionsOf(out, h, w, targets) };
  }

  /** Classification + box losses of head outputs against assigned targets (inside the caller's tidy). */
  private lossesOf({ logits, deltas }: HeadOutputs, grid: AnchorGrid, t: ReturnType<typeof assignTargets>): { total: tf.Scalar; cls: tf.Scalar; box: tf.Scalar } {
    const l = this.config.loss;
    const normalizer = Math.max(1, t.numPositive);
    const cls = retinaNetClassificationLoss(logits, t.labels, { kind: l.kind, alpha: l.alpha, gamma: l.gamma, perClassAlpha: l.perClassAlpha });
    const boxTargets = tf.tensor3d(t.boxTargets, deltas.shape);
    const anchors = l.box === 'giou' ? tf.tensor2d(grid.anchors, [grid.anchors.length / 4, 4]) : undefined;
    const box = boxRegressionLoss(deltas, boxTargets, t.labels, { type: l.box, beta: l.beta, anchors }, normalizer);
    const total = tf.add(cls, tf.mul(box, l.boxWeight)) as tf.Scalar;
    return { total, cls, box };
  }

  /**
   * Detections per image, in original image pixels with COCO category ids.
   * @param images [B, H, W, 3] RGB 0..255 (padded; H, W multiples of 128)
   * @param metas one per image: how the input relates to the original image
   */
  async predict(images: tf.Tensor4D, metas: readonly ImageMeta[]): Promise<Detection[][]> {
    this.checkImages('predict', images);
    this.checkMetas('predict', images, metas);
    const [, h, w] = images.shape;
    return this.detectionsOf(this.forward(images, false), h, w, metas);
  }

  /** Post-processed detections of head outputs (which it disposes), one list per image. */
  private async detectionsOf(out: HeadOutputs, h: number, w: number, metas: readonly ImageMeta[]): Promise<Detection[][]> {
    const b = metas.length;
    const [logits, deltas] = await Promise.all([out.logits.data() as Promise<Float32Array>, out.deltas.data() as Promise<Float32Array>]);
    tf.dispose([out.logits, out.deltas]);
    const grid = this.anchors.get(h, w);
    const levelCounts = anchorsPerLevel(h, w, this.config.anchors);
    const a = grid.anchors.length / 4;
    const c = this.config.numClasses;
    return Array.from({ length: b }, (_, i) =>
      postprocessImage(
        { logits: logits.subarray(i * a * c, (i + 1) * a * c), deltas: deltas.subarray(i * a * 4, (i + 1) * a * 4), anchors: grid.anchors, levelCounts, numClasses: c },
        metas[i],
        this.config.postprocess,
        this.config.categories,
      ),
    );
  }

  /** Input sides must be multiples of this: the stride 2^maxLevel of the highest level (128 for P7). */
  get sizeMultiple(): number {
    return Math.pow(2, this.config.fpn.maxLevel);
  }

  /** Frees every variable of the model. */
  dispose(): void {
    this.store.dispose();
  }

  private checkMetas(fn: string, images: tf.Tensor, metas: readonly ImageMeta[]): void {
    if (metas.length !== images.shape[0]) throw new RetinaNetInputError(fn, `need one meta per image (images [${images.shape}], ${metas.length} metas)`);
    metas.forEach((m, i) => {
      if (!(m.scale > 0) || !(m.originalHeight > 0) || !(m.originalWidth > 0)) {
        throw new RetinaNetInputError(fn, `metas[${i}] needs scale, originalHeight, originalWidth > 0 (got ${JSON.stringify(m)})`);
      }
    });
  }

  private checkImages(fn: string, images: tf.Tensor): void {
    if (images.rank !== 4 || images.shape[3] !== 3) throw new RetinaNetInputError(fn, `images must be [B, H, W, 3] (got [${images.shape}])`);
    const [, h, w] = images.shape;
    const multiple = this.sizeMultiple;
    if (h % multiple !== 0 || w % multiple !== 0) {
      throw new RetinaNetInputError(fn, `image height and width must be multiples of ${multiple} (got ${h}×${w}; pad bottom/right)`);
    }
  }
}

/** Builds a detector with freshly initialised weights (deterministic for a given `config.seed`). */
export function createRetinaNet(config: RetinaNetConfigInput): RetinaNet {
  return new RetinaNet(config);
}
