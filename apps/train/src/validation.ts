/**
 * Periodic validation: detections on the validation split scored by @retina/coco-eval, and the
 * validation loss (the training loss on the validation images at the test size, batch norm on its
 * running statistics, no augmentation) — both from one forward pass per batch. The loss's class
 * indices are the model's (its training file's categories), whatever order or subset of categories the
 * validation file lists.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CategoryMap, createEvalLoader, loadCocoDataset, type CocoDataset, type ImageTarget } from '@retina/coco';
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
  private warnedCategories = false;

  private constructor(
    private readonly dataset: CocoDataset,
    readonly groundTruth: CocoGroundTruth,
    private readonly config: RunConfig,
    private readonly reporter: Reporter,
  ) {}

  static async create(config: RunConfig, reporter: Reporter): Promise<Validator> {
    const dataset = await loadCocoDataset(config.valAnn as string, config.valImages as string);
    const gt = await loadGroundTruthFile(config.valAnn as string);
    dataset.warnings.forEach((w) => reporter.warn(w));
    reporter.info(`validation: ${dataset.images.length} images (${config.valAnn})`);
    return new Validator(dataset, gt, config, reporter);
  }

  /** Runs the model over the validation split; prints and returns the 12 COCO stats and the loss. */
  async run(net: RetinaNet): Promise<ValidationResult> {
    const categoryMap = this.modelCategories(net);
    const loader = createEvalLoader(this.dataset, {
      batchSize: this.config.optim.batchSize,
      ...testSizeOf(this.config),
      padMultiple: net.sizeMultiple,
      workers: this.config.data.workers,
      onWarning: (m) => this.reporter.warn(m),
      ...(categoryMap ? { categoryMap } : {}),
    });
    // the eval loader's targets carry the boxes too: one forward pass gives the loss and the detections
    const sum = { total: 0, cls: 0, box: 0, n: 0 };
    const predictor = {
      predict: async (images: tf.Tensor4D, targets: readonly ImageTarget[]) => {
        const { losses, detections } = await net.lossesAndDetections(images, targets);
        sum.total += losses.total;
        sum.cls += losses.cls;
        sum.box += losses.box;
        sum.n++;
        return detections;
      },
    };
    const results = await detectAll<ImageTarget>(predictor, loader.epoch(0));
    const evaluation = evaluateBbox(this.groundTruth, results);
    this.lastEvaluation = evaluation;
    this.lastDetections = results;
    if (this.reporter.mode !== 'json') {
      this.reporter.info(summaryLines(evaluation.stats, evaluation.params).join('\n'));
      this.reporter.info(perClassTable(evaluation, 'id').join('\n'));
    }
    return { stats: evaluation.stats, loss: { total: sum.total / sum.n, cls: sum.cls / sum.n, box: sum.box / sum.n } };
  }

  /**
   * The model's classes as a category map (undefined for a model saved without categories: then the
   * validation file's own map is used); warns once when the validation file lists other categories.
   */
  private modelCategories(net: RetinaNet): CategoryMap | undefined {
    const categories = net.config.categories;
    if (categories === undefined) return undefined;
    const model = CategoryMap.fromCategories(categories);
    if (model.ids.some((id, i) => categories[i].id !== id)) return undefined; // not in ascending id order: no map says it
    const own = this.dataset.categoryMap;
    if (!this.warnedCategories && own.ids.join() !== model.ids.join()) {
      this.warnedCategories = true;
      const extra = own.ids.filter((id) => !model.hasCocoId(id));
      this.reporter.warn(
        `${this.config.valAnn}: its categories [${own.ids.join(', ')}] differ from the model's [${model.ids.join(', ')}]: the validation loss uses the model's classes` +
          (extra.length > 0 ? `; boxes of categories ${extra.join(', ')} are left out of it (AP still scores them as missed)` : ''),
      );
    }
    return model;
  }

  /** The confusion matrix of the last validation's detections (classes + background). */
  confusion(opts: { iouThreshold?: number; scoreThreshold?: number } = {}): { matrix: ConfusionMatrix; table: string } | undefined {
    if (!this.lastDetections) return undefined;
    const matrix = confusionMatrix(this.groundTruth, this.lastDetections, opts);
    return { matrix, table: formatConfusionMatrix(matrix) };
  }
}
