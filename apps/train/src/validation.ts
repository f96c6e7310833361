/**
 * Periodic validation: detections on the validation split scored by @retina/coco-eval, and the
 * validation loss (the training loss on the validation images at the test size, batch norm on its
 * running statistics, no augmentation).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createDataLoader, createEvalLoader, loadCocoDataset, type CocoDataset } from '@retina/coco';
import {
  confusionMatrix,
  evaluateBbox,
  formatConfusionMatrix,
  loadGroundTruthFile,
  perClassTable,
  summaryLines,
  type BboxEvaluation,
  type CocoGroundTruth,
  type ConfusionMatrix,
} from '@retina/coco-eval';
import type { CocoDetection, RetinaNet } from '@retina/retinanet';
import { detectAll } from '@retina/retinanet';
import type { Reporter } from './progress';
import { testSizeOf, type RunConfig } from './run-config';

export interface ValidationResult {
  /** The 12 COCO stats. */
  stats: number[];
  /** Mean loss per batch on the validation split (total, classification, box). */
  loss: { total: number; cls: number; box: number };
}

export class Validator {
  lastEvaluation: BboxEvaluation | undefined;
  lastDetections: CocoDetection[] | undefined;

  private constructor(
    private readonly dataset: CocoDataset,
    readonly groundTruth: CocoGroundTruth,
    private readonly config: RunConfig,
    private readonly reporter: Reporter,
  ) {}

  static async create(config: RunConfig, reporter: Reporter): Promise<Validator> {
    const dataset = await loadCocoDataset(config.valAnn as string, config.valImages as string);
    const gt = await loadGroundTruthFile(config.valAnn as string);
    reporter.info(`validation: ${dataset.images.length} images (${config.valAnn})`);
    return new Validator(dataset, gt, config, reporter);
  }

  /** Runs the model over the validation split; prints and returns the 12 COCO stats and the loss. */
  async run(net: RetinaNet): Promise<ValidationResult> {
    const options = { batchSize: this.config.optim.batchSize, ...testSizeOf(this.config), padMultiple: net.sizeMultiple, workers: this.config.data.workers };
    const results = await detectAll(net, createEvalLoader(this.dataset, options).epoch(0));
    const evaluation = evaluateBbox(this.groundTruth, results);
    this.lastEvaluation = evaluation;
    this.lastDetections = results;
    if (this.reporter.mode !== 'json') {
      this.reporter.info(summaryLines(evaluation.stats, evaluation.params).join('\n'));
      this.reporter.info(perClassTable(evaluation, 'id').join('\n'));
    }
    return { stats: evaluation.stats, loss: await this.loss(net, options) };
  }

  /** The confusion matrix of the last validation's detections (classes + background). */
  confusion(opts: { iouThreshold?: number; scoreThreshold?: number } = {}): { matrix: ConfusionMatrix; table: string } | undefined {
    if (!this.lastDetections) return undefined;
    const matrix = confusionMatrix(this.groundTruth, this.lastDetections, opts);
    return { matrix, table: formatConfusionMatrix(matrix) };
  }

  private async loss(net: RetinaNet, options: { batchSize: number; shortSide: number; maxSize: number; padMultiple: number; workers: number }): Promise<ValidationResult['loss']> {
    const loader = createDataLoader(this.dataset, { ...options, hflip: 0, shuffle: false, aspectGrouping: false, dropLast: false, scaleJitter: null, colorJitter: null });
    const sum = { total: 0, cls: 0, box: 0, n: 0 };
    for await (const batch of loader.epoch(0)) {
      const values = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [batch.batchSize, batch.height, batch.width, 3]);
        const l = net.computeLosses(x, batch.targets, { training: false });
        return tf.stack([l.total, l.cls, l.box]);
      });
      const [total, cls, box] = await values.data();
      values.dispose();
      sum.total += total;
      sum.cls += cls;
      sum.box += box;
      sum.n++;
    }
    return { total: sum.total / sum.n, cls: sum.cls / sum.n, box: sum.box / sum.n };
  }
}
