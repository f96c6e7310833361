/**
 * The study's outputs: study.json (everything, including each run's command lines), study.md (the
 * table) and study.png (a grouped bar chart), each written atomically (temp file + rename).
 */
import { writeFileAtomic } from '@retina/engine';
import { renderBarChartPng } from '@retina/plots';
import type { LossRun, StudyBudget, StudyDatasetConfig, StudyModelConfig, StudyPaths } from './study-config';
import type { RareCategory, RunMetrics } from './study-results';

/** One trained and evaluated run. */
export interface StudyRunResult {
  readonly id: LossRun['id'];
  readonly label: string;
  readonly loss: LossRun['loss'];
  readonly metrics: RunMetrics;
  readonly trainArgs: readonly string[];
  readonly evalArgs: readonly string[];
  /** Wall-clock seconds of the retina-train and retina-eval processes. */
  readonly seconds: { readonly train: number; readonly eval: number };
}

/** Split sizes and the rare class's objects in each split. */
export interface StudyDatasetSummary {
  readonly train: { readonly images: number; readonly annotations: number };
  readonly val: { readonly images: number; readonly annotations: number };
  readonly rare: RareCategory & { readonly valCount: number };
}

/** The content of study.json. */
export interface StudyReport {
  readonly study: 'focal-vs-ce';
  /** The command that reproduces these numbers (the budget as a step count). */
  readonly command: string;
  readonly seed: number;
  readonly backend: string;
  /** Steps of every run. */
  readonly iterations: number;
  /** What was asked; with a time limit, the calibration that turned it into `iterations`. */
  readonly budget: { readonly requested: StudyBudget; readonly secondsPerStep?: number };
  readonly dataset: StudyDatasetConfig & StudyDatasetSummary;
  readonly model: StudyModelConfig;
  readonly runs: readonly StudyRunResult[];
  readonly wallSeconds: number;
}

/** The table's columns (and the chart's groups): header, short chart label, and the value of a run. */
const COLUMNS: readonly { header: (rare: string) => string; short: (rare: string) => string; value: (m: RunMetrics) => number }[] = [
  { header: () => 'AP', short: () => 'AP', value: (m) => m.ap },
  { header: () => 'AP50', short: () => 'AP50', value: (m) => m.ap50 },
  { header: (rare) => `rare-class AP (${rare})`, short: (rare) => `${rare} AP`, value: (m) => m.rareAp },
  { header: (rare) => `rare-class recall @ IoU 0.5 (${rare})`, short: (rare) => `${rare} recall@0.5`, value: (m) => m.rareRecall50 },
];

/** Three decimals; '–' for −1 (undefined: no ground truth). */
export const formatMetric = (v: number): string => (v === -1 ? '–' : v.toFixed(3));

/** The markdown table: one row per run (loss, AP, AP50, rare-class AP, rare-class recall at IoU 0.5). */
export function markdownTable(runs: readonly Pick<StudyRunResult, 'label' | 'metrics'>[], rareName: string): string {
  const header = ['loss', ...COLUMNS.map((c) => c.header(rareName))];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- |${COLUMNS.map(() => ' ---: |').join('')}`,
    ...runs.map((r) => `| ${[r.label, ...COLUMNS.map((c) => formatMetric(c.value(r.metrics)))].join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** study.md: the budget and data in two sentences, the table, and the command that reproduces it. */
export function studyMarkdown(report: StudyReport): string {
  const d = report.dataset;
  const m = report.model;
  const epochs = (report.iterations * m.batchSize) / d.train.images;
  return [
    '# Focal loss vs cross-entropy',
    '',
    `Budget: ${report.iterations} iterations per run (batch ${m.batchSize}, ≈ ${epochs.toFixed(1)} epochs), ` +
      `seed ${report.seed}, backend ${report.backend}; narrow backbone (width ${m.width}), ${d.size} px inputs, ` +
      `lr ${m.lr} (cosine). The three runs differ only in the classification loss.`,
    '',
    `Data: synthetic shapes, ${d.classes} classes, ${d.train.images} training images (${d.train.annotations} objects) ` +
      `and ${d.val.images} held-out images (${d.val.annotations} objects); the rare class "${d.rare.name}" has ` +
      `${d.rare.count} training and ${d.rare.valCount} held-out objects.`,
    '',
    markdownTable(report.runs, d.rare.name).trimEnd(),
    '',
    'AP = COCO AP@[.50:.95] on the held-out split; recall with up to 100 detections per image.',
    '',
    `Reproduce: \`${report.command}\``,
    '',
  ].join('\n');
}

/** The chart: one group per column of the table, one bar per loss. */
export function studyChartPng(report: StudyReport): Promise<Buffer> {
  const rare = report.dataset.rare.name;
  return renderBarChartPng(
    COLUMNS.map((c) => c.short(rare)),
    report.runs.map((r) => ({ label: r.label, values: COLUMNS.map((c) => (c.value(r.metrics) === -1 ? null : c.value(r.metrics))) })),
    { width: 900, height: 500, title: `Focal loss vs cross-entropy: ${report.iterations} iterations per run, seed ${report.seed}`, yLabel: 'held-out split' },
  );
}

/** study.png, study.json and study.md, each atomically (temp file + rename: a reader never sees half a file). */
export async function writeStudy(paths: StudyPaths, report: StudyReport): Promise<void> {
  await writeFileAtomic(paths.studyPng, await studyChartPng(report));
  await writeFileAtomic(paths.studyJson, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(paths.studyMd, studyMarkdown(report));
}
