/** Periodic validation: detections on the validation split scored by @retina/coco-eval. */
import { createEvalLoader, loadCocoDataset, type CocoDataset } from '@retina/coco';
import {
  evaluateBbox,
  loadGroundTruthFile,
  perClassTable,
  summaryLines,
  type BboxEvaluation,
  type CocoGroundTruth,
} from '@retina/coco-eval';
import type { RetinaNet } from '@retina/retinanet';
import { detectAll } from '@retina/retinanet';
import type { Reporter } from './progress';
import { testSizeOf, type RunConfig } from './run-config';

export class Validator {
  lastEvaluation: BboxEvaluation | undefined;

  private constructor(
    private readonly dataset: CocoDataset,
    private readonly groundTruth: CocoGroundTruth,
    private readonly config: RunConfig,
    private readonly reporter: Reporter,
  ) {}

  static async create(config: RunConfig, reporter: Reporter): Promise<Validator> {
    const dataset = await loadCocoDataset(config.valAnn as string, config.valImages as string);
    const gt = await loadGroundTruthFile(config.valAnn as string);
    reporter.info(`validation: ${dataset.images.length} images (${config.valAnn})`);
    return new Validator(dataset, gt, config, reporter);
  }

  /** Runs the model over the validation split; prints and returns the 12 COCO stats. */
  async run(net: RetinaNet): Promise<number[]> {
    const loader = createEvalLoader(this.dataset, {
      batchSize: this.config.optim.batchSize,
      ...testSizeOf(this.config),
      workers: this.config.data.workers,
    });
    const results = await detectAll(net, loader.epoch(0));
    const evaluation = evaluateBbox(this.groundTruth, results);
    this.lastEvaluation = evaluation;
    if (this.reporter.mode !== 'json') {
      this.reporter.info(summaryLines(evaluation.stats, evaluation.params).join('\n'));
      this.reporter.info(perClassTable(evaluation, 'id').join('\n'));
    }
    return evaluation.stats;
  }
}
