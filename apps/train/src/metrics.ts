/**
 * Run records: `metrics.jsonl` (one JSON object per event, appended and fsynced) and `results.csv`
 * (one row per epoch, rewritten atomically). Both are the inputs of the plots.
 */
import { appendFileSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface StepRecord {
  kind: 'step';
  epoch: number;
  iteration: number;
  lr: number;
  loss: number;
  cls: number;
  box: number;
  gradNorm: number;
  imagesPerSec: number;
  tensors: number;
}

export interface EpochRecord {
  kind: 'epoch';
  epoch: number;
  iteration: number;
  loss: number;
  cls: number;
  box: number;
  seconds: number;
  imagesPerSec: number;
  /** The 12 COCO stats when validation ran this epoch. */
  stats?: number[];
  /** Validation loss (total, classification, box) when validation ran this epoch. */
  valLoss?: number;
  valCls?: number;
  valBox?: number;
}

export type RunRecord = StepRecord | EpochRecord;

export const CSV_COLUMNS = ['epoch', 'iteration', 'loss', 'cls', 'box', 'seconds', 'images_per_s', 'AP', 'AP50', 'AP75', 'val_loss', 'val_cls', 'val_box'];

export class RunLog {
  readonly jsonlPath: string;
  readonly csvPath: string;

  constructor(dir: string) {
    this.jsonlPath = join(dir, 'metrics.jsonl');
    this.csvPath = join(dir, 'results.csv');
  }

  append(record: RunRecord): void {
    const fd = openSync(this.jsonlPath, 'a');
    try {
      appendFileSync(fd, JSON.stringify(record) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (record.kind === 'epoch') this.writeCsv();
  }

  /** All records written so far; a torn last line (crash mid-append) is ignored. */
  read(): RunRecord[] {
    if (!existsSync(this.jsonlPath)) return [];
    const out: RunRecord[] = [];
    for (const line of readFileSync(this.jsonlPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as RunRecord);
      } catch {
        // a line cut short by a crash during append: everything before it is intact
      }
    }
    return out;
  }

  /** Drops records after `iteration` (used on resume: the run continues from its checkpoint). */
  truncateAfter(iteration: number): void {
    const kept = this.read().filter((r) => r.iteration <= iteration);
    const tmp = `${this.jsonlPath}.tmp-${process.pid}`;
    writeFileSync(tmp, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    renameSync(tmp, this.jsonlPath);
    this.writeCsv();
  }

  epochs(): EpochRecord[] {
    return this.read().filter((r): r is EpochRecord => r.kind === 'epoch');
  }

  private writeCsv(): void {
    const rows = this.epochs().map((r) =>
      [r.epoch, r.iteration, r.loss, r.cls, r.box, r.seconds, r.imagesPerSec, r.stats?.[0], r.stats?.[1], r.stats?.[2], r.valLoss, r.valCls, r.valBox]
        .map((v) => (v === undefined ? '' : typeof v === 'number' ? +v.toFixed(6) : v))
        .join(','),
    );
    const tmp = `${this.csvPath}.tmp-${process.pid}`;
    writeFileSync(tmp, [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n');
    renameSync(tmp, this.csvPath);
  }
}
