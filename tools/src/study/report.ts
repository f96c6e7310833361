/**
 * The study's report from its finished runs: per share, each loss's numbers as mean ± sd over the
 * seeds, the rare class's recall at the precision CE reaches, whether each run's validation AP
 * flattened, the γ sweep; study.json, study.md and the charts (rare-class PR curves, validation
 * curves), each written atomically.
 */
import { writeFileAtomic } from '@retina/engine/node';
import { renderLineChartPng, type LineSeries } from '@retina/plots';
import { GAMMA_SWEEP, MAIN_LOSSES, SWEEP_LOSSES, reproduceCommand, studyPaths, type StudyConfig, type StudyLoss } from './config';
import type { RunResult } from './run-one';
import { CONVERGENCE_TOLERANCE, bestF1Point, convergence, formatMeanSd, meanCurve, meanSd, meanValidationCurve, recallAtPrecision, type MeanSd } from './stats';

/** A share's dataset as the report states it. */
export interface DatasetSummary {
  readonly share: number;
  readonly tag: string;
  readonly train: { readonly images: number; readonly objects: number; readonly rare: number };
  readonly val: { readonly images: number; readonly objects: number; readonly rare: number };
  readonly rareName: string;
  /** Share of training boxes whose best anchor reaches IoU 0.5 (all boxes; the rare class's). */
  readonly anchorCoverage: { readonly all: number; readonly rare: number };
}

/** One loss on one share, over its seeds. */
export interface LossSummary {
  readonly lossId: string;
  readonly label: string;
  readonly seeds: number;
  readonly ap: MeanSd;
  readonly ap50: MeanSd;
  readonly rareAp: MeanSd;
  readonly rareAp50: MeanSd;
  /** The rare class's highest recall at IoU 0.5 (up to 100 detections per image). */
  readonly rareRecall: MeanSd;
  /** Its recall at the precision CE's run of the same seed reaches at its best F1 (see `cePrecision`). */
  readonly rareRecallAtCePrecision: MeanSd;
  /** AP gained in the last quarter of training; runs whose curve flattened (gain < 0.01 AP). */
  readonly lateGain: MeanSd;
  readonly converged: number;
  /** Each seed's last-quarter gain, in seed order (null: too few validations to say). */
  readonly lateGains: readonly (number | null)[];
  /** The last-quarter gain of the seeds' mean validation curve (the curve charted), null as above. */
  readonly meanCurveLateGain: number | null;
}

/** One main loss trained at seed 0 for the study's steps and for twice as many. */
export interface BudgetCheck {
  readonly lossId: string;
  readonly label: string;
  readonly ap: readonly [number, number];
  readonly rareAp: readonly [number, number];
  /** The convergence test of each of the two runs (null: too few validations to say). */
  readonly lateGain: readonly [number | null, number | null];
}

export interface ShareSummary {
  readonly dataset: DatasetSummary;
  /** Per seed: the rare-class precision of CE's best-F1 point (null when CE found no rare object). */
  readonly cePrecision: readonly (number | null)[];
  readonly main: readonly LossSummary[];
  /** Table 1b's γ sweep, or null when this share has none. */
  readonly sweep: readonly { readonly gamma: number; readonly alpha: number; readonly summary: LossSummary }[] | null;
  /** Focal loss minus CE, and focal minus α-CE, with Welch's t over the seeds. */
  readonly contrasts: readonly Contrast[];
  /** The main losses at 1× and 2× the steps (seed 0), or null when this share has no budget check. */
  readonly budgetCheck: readonly BudgetCheck[] | null;
  /** The main losses against the same study at another budget (`--compare`), or null without one. */
  readonly comparison: BudgetComparison | null;
}

/** Each main loss at another study's step count and at this one's, over the seeds. */
export interface BudgetComparison {
  /** The other study's steps per run, and where its study.json was read. */
  readonly iterations: number;
  readonly source: string;
  readonly rows: readonly {
    readonly lossId: string;
    readonly label: string;
    /** [other study, this study]. */
    readonly ap: readonly [MeanSd, MeanSd];
    readonly rareAp: readonly [MeanSd, MeanSd];
    readonly converged: readonly [number, number];
    readonly seeds: readonly [number, number];
  }[];
}

/**
 * This share's main losses next to the same losses of `other` (a study of the same design at another
 * step count); null when `other` has no share with this rare-class share.
 */
export function compareBudgets(mine: ShareSummary, other: StudyReport, source: string): BudgetComparison | null {
  const theirs = other.shares.find((s) => s.dataset.share === mine.dataset.share);
  if (theirs === undefined) return null;
  const rows = mine.main.flatMap((l) => {
    const o = theirs.main.find((x) => x.lossId === l.lossId);
    return o === undefined ? [] : [{ lossId: l.lossId, label: l.label, ap: [o.ap, l.ap] as const, rareAp: [o.rareAp, l.rareAp] as const, converged: [o.converged, l.converged] as const, seeds: [o.seeds, l.seeds] as const }];
  });
  return { iterations: other.config.iterations, source, rows };
}

/** A difference of means between two losses on one metric, and Welch's t statistic. */
export interface Contrast {
  readonly metric: 'ap' | 'rareAp' | 'rareRecallAtCePrecision';
  readonly a: string;
  readonly b: string;
  readonly difference: number;
  /** NaN when both standard deviations are 0 or a side has fewer than 2 defined seeds. */
  readonly t: number;
}

/** The content of study.json. */
export interface StudyReport {
  readonly study: 'focal-vs-ce';
  readonly version: 2;
  readonly command: string;
  readonly config: StudyConfig;
  readonly shares: readonly ShareSummary[];
  readonly runs: readonly RunResult[];
  /** This call's wall time, and the runs' own train + eval seconds summed. */
  readonly wallSeconds: number;
  readonly runSeconds: number;
}

/** Welch's t for the difference of two means (NaN when undefined). */
export function welchT(a: MeanSd, b: MeanSd): number {
  if (a.n < 2 || b.n < 2) return NaN;
  const se = Math.sqrt((a.sd * a.sd) / a.n + (b.sd * b.sd) / b.n);
  return se === 0 ? NaN : (a.mean - b.mean) / se;
}

function summarizeLoss(loss: StudyLoss, runs: readonly RunResult[], cePrecision: readonly (number | null)[], iterations: number): LossSummary {
  const bySeed = [...runs].sort((x, y) => x.seed - y.seed);
  const defined = (v: number): number | null => (v === -1 ? null : v);
  const conv = bySeed.map((r) => convergence(r.curve, iterations));
  const lateGains = conv.map((c) => c?.lateGain ?? null);
  return {
    lossId: loss.id,
    label: loss.label,
    seeds: bySeed.length,
    ap: meanSd(bySeed.map((r) => r.metrics.ap)),
    ap50: meanSd(bySeed.map((r) => r.metrics.ap50)),
    rareAp: meanSd(bySeed.map((r) => defined(r.metrics.rareAp))),
    rareAp50: meanSd(bySeed.map((r) => defined(r.metrics.rareAp50))),
    rareRecall: meanSd(bySeed.map((r) => defined(r.metrics.rareRecall50))),
    rareRecallAtCePrecision: meanSd(bySeed.map((r) => {
      const p = cePrecision[r.seed];
      return p === null || p === undefined ? null : recallAtPrecision(r.rarePr, p);
    })),
    lateGain: meanSd(lateGains),
    converged: conv.filter((c) => c?.converged === true).length,
    lateGains,
    meanCurveLateGain: convergence(meanValidationCurve(bySeed.map((r) => r.curve)), iterations)?.lateGain ?? null,
  };
}

/** The report of a complete study. `results` holds every run of the plan. */
export function buildReport(config: StudyConfig, datasets: readonly DatasetSummary[], results: readonly RunResult[], wallSeconds: number, other?: { readonly report: StudyReport; readonly source: string }): StudyReport {
  const shares = config.shares.map((share): ShareSummary => {
    const dataset = datasets.find((d) => d.share === share)!;
    const plain: DatasetSummary = { share, tag: dataset.tag, train: dataset.train, val: dataset.val, rareName: dataset.rareName, anchorCoverage: dataset.anchorCoverage };
    const runsOf = (lossId: string, budget: 1 | 2 = 1): RunResult[] => results.filter((r) => r.share === share && r.lossId === lossId && (r.budget ?? 1) === budget);
    const cePrecision = Array.from({ length: config.seeds }, (_, seed) => {
      const ce = runsOf('ce').find((r) => r.seed === seed);
      return ce === undefined ? null : (bestF1Point(ce.rarePr)?.precision ?? null);
    });
    const summary = (loss: StudyLoss): LossSummary => summarizeLoss(loss, runsOf(loss.id), cePrecision, config.iterations);
    const main = MAIN_LOSSES.map(summary);
    const all = [...MAIN_LOSSES, ...SWEEP_LOSSES];
    const sweep = config.sweepShares.includes(share) ? GAMMA_SWEEP.map((g) => ({ gamma: g.gamma, alpha: g.alpha, summary: summary(all.find((l) => l.id === g.lossId)!) })) : null;
    const [ce, alphaCe, focal] = main;
    const contrasts = (['ap', 'rareAp', 'rareRecallAtCePrecision'] as const).flatMap((metric) =>
      [ce, alphaCe].map((other): Contrast => ({ metric, a: focal.lossId, b: other.lossId, difference: focal[metric].mean - other[metric].mean, t: welchT(focal[metric], other[metric]) })),
    );
    const budgetCheck = (config.budgetCheckShares ?? []).includes(share)
      ? MAIN_LOSSES.map((loss): BudgetCheck => {
          const [one, two] = [runsOf(loss.id, 1).find((r) => r.seed === 0)!, runsOf(loss.id, 2)[0]];
          const gain = (r: RunResult): number | null => convergence(r.curve, r.iterations)?.lateGain ?? null;
          return { lossId: loss.id, label: loss.label, ap: [one.metrics.ap, two.metrics.ap], rareAp: [one.metrics.rareAp, two.metrics.rareAp], lateGain: [gain(one), gain(two)] };
        })
      : null;
    const share0: ShareSummary = { dataset: plain, cePrecision, main, sweep, contrasts, budgetCheck, comparison: null };
    return other === undefined ? share0 : { ...share0, comparison: compareBudgets(share0, other.report, other.source) };
  });
  const runSeconds = Math.round(results.reduce((a, r) => a + r.seconds.train + r.seconds.eval, 0));
  return { study: 'focal-vs-ce', version: 2, command: reproduceCommand(config), config, shares, runs: results, wallSeconds, runSeconds };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** The main table of one share: one row per loss, mean ± sd over the seeds. */
export function mainTable(s: ShareSummary, seeds: number): string {
  const rare = s.dataset.rareName;
  const rows = s.main.map((l) =>
    [l.label, l.ap, l.ap50, l.rareAp, l.rareAp50, l.rareRecallAtCePrecision, l.rareRecall].map((v) => (typeof v === 'string' ? v : formatMeanSd(v, seeds))).concat(`${l.converged}/${l.seeds}`),
  );
  return table(['loss', 'AP', 'AP50', `${rare} AP`, `${rare} AP50`, `${rare} recall at CE's precision`, `${rare} recall (max)`, 'flattened'], rows);
}

/** The γ sweep of one share (Table 1b): one row per γ at its α. */
export function sweepTable(s: ShareSummary, seeds: number): string {
  const rare = s.dataset.rareName;
  const rows = (s.sweep ?? []).map(({ gamma, alpha, summary: l }) =>
    [String(gamma), String(alpha), ...[l.ap, l.ap50, l.rareAp, l.rareRecallAtCePrecision].map((v) => formatMeanSd(v, seeds)), `${l.converged}/${l.seeds}`],
  );
  return table(['γ', 'α', 'AP', 'AP50', `${rare} AP`, `${rare} recall at CE's precision`, 'flattened'], rows);
}

/**
 * Whether each run flattened: per loss (main three, then the sweep's), each seed's last-quarter AP
 * gain marked ✓ (< 0.01, flattened) or ✗, and the same test on the seeds' mean curve.
 */
export function convergenceTable(s: ShareSummary, seeds: number): string {
  const cell = (g: number | null): string => (g === null ? '–' : `${g >= 0 ? '+' : ''}${g.toFixed(3)} ${g < CONVERGENCE_TOLERANCE ? '✓' : '✗'}`);
  const losses = [...s.main, ...(s.sweep ?? []).map((g) => g.summary).filter((l) => !s.main.some((m) => m.lossId === l.lossId))];
  const rows = losses.map((l) => [l.label, ...Array.from({ length: seeds }, (_, i) => cell(l.lateGains[i] ?? null)), cell(l.meanCurveLateGain)]);
  return table(['loss', ...Array.from({ length: seeds }, (_, i) => `seed ${i}`), 'mean curve'], rows);
}

/** The budget check of one share: each main loss's seed-0 numbers at 1× and 2× the steps. */
export function budgetTable(s: ShareSummary, iterations: number): string {
  const f = (v: number): string => (v === -1 ? '–' : v.toFixed(3));
  const g = (v: number | null): string => (v === null ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`);
  const rows = (s.budgetCheck ?? []).map((b) => [b.label, f(b.ap[0]), f(b.ap[1]), g(b.ap[1] - b.ap[0]), f(b.rareAp[0]), f(b.rareAp[1]), g(b.lateGain[0]), g(b.lateGain[1])]);
  const [n, m] = [iterations, 2 * iterations];
  return table(['loss', `AP @ ${n}`, `AP @ ${m}`, 'Δ AP', `${s.dataset.rareName} AP @ ${n}`, `${s.dataset.rareName} AP @ ${m}`, `last-quarter gain @ ${n}`, `@ ${m}`], rows);
}

/** The budget comparison of one share: each main loss's mean ± sd at the other study's steps and at this one's. */
export function comparisonTable(s: ShareSummary, iterations: number, seeds: number): string {
  const c = s.comparison;
  if (c === null) return '';
  const [n, m] = [c.iterations, iterations];
  const delta = (pair: readonly [MeanSd, MeanSd]): string => {
    const d = pair[1].mean - pair[0].mean;
    const t = welchT(pair[1], pair[0]);
    return Number.isNaN(d) ? '–' : `${d >= 0 ? '+' : ''}${d.toFixed(3)} (t = ${Number.isNaN(t) ? '–' : t.toFixed(1)})`;
  };
  const rare = s.dataset.rareName;
  const rows = c.rows.map((r) => [
    r.label, formatMeanSd(r.ap[0], seeds), formatMeanSd(r.ap[1], seeds), delta(r.ap),
    formatMeanSd(r.rareAp[0], seeds), formatMeanSd(r.rareAp[1], seeds), delta(r.rareAp),
    `${r.converged[0]}/${r.seeds[0]} → ${r.converged[1]}/${r.seeds[1]}`,
  ]);
  return table(['loss', `AP @ ${n}`, `AP @ ${m}`, 'Δ AP (Welch t)', `${rare} AP @ ${n}`, `${rare} AP @ ${m}`, `Δ ${rare} AP (t)`, 'flattened'], rows);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `| --- |${header.slice(1).map(() => ' ---: |').join('')}`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const METRIC_NAMES: Record<Contrast['metric'], string> = { ap: 'AP', rareAp: 'rare-class AP', rareRecallAtCePrecision: "rare-class recall at CE's precision" };
const LOSS_NAMES: Record<string, string> = { ce: 'CE', 'alpha-ce': 'α-CE', focal: 'FL' };

/** "FL − CE: AP +0.012 (t = 3.1)" lines. */
function contrastLines(s: ShareSummary): string[] {
  return s.contrasts.map((c) => `- ${LOSS_NAMES[c.a]} − ${LOSS_NAMES[c.b]}, ${METRIC_NAMES[c.metric]}: ${c.difference >= 0 ? '+' : ''}${c.difference.toFixed(3)} (Welch t = ${Number.isNaN(c.t) ? '–' : c.t.toFixed(1)})`);
}

/** study.md: design, per share the tables and charts, the reproduce command. */
export function studyMarkdown(r: StudyReport): string {
  const c = r.config;
  const m = c.model;
  const lines = [
    '# Focal loss vs cross-entropy (RetinaNet Table 1, in miniature)',
    '',
    `Every run: ${c.iterations} steps (batch ${m.batchSize}), ${m.optimizer} lr ${m.lr} with ${m.warmupIters} warmup steps and cosine decay, ` +
      `backbone norm ${m.norm}, narrow backbone width ${m.width}, FPN P${m.minLevel}–P${m.maxLevel} (${m.fpnChannels} channels), anchors ${m.anchorSizes.join('/')} px, ` +
      `${c.dataset.size} px inputs, backend ${c.backend}. Seeds 0–${c.seeds - 1} vary initialisation and order; the data is fixed (generator seed ${c.dataset.seed}). ` +
      `Scores on the held-out split; numbers are mean ± sample sd over the ${c.seeds} seeds.`,
    '',
    `"recall at CE's precision": the rare class's recall at IoU 0.5 at the precision that CE (same seed) reaches at its best-F1 point. ` +
      `"flattened": runs whose validation AP rose by less than 0.01 in the last quarter of training.`,
  ];
  for (const s of r.shares) {
    const d = s.dataset;
    const p = (v: number | null): string => (v === null ? '–' : v.toFixed(2));
    lines.push(
      '',
      `## Rare class ${pct(d.share)} of objects (${d.tag})`,
      '',
      `${d.train.images} training images (${d.train.objects} objects, ${d.train.rare} ${d.rareName}s), ${d.val.images} held-out (${d.val.objects} objects, ${d.val.rare} ${d.rareName}s). ` +
        `Anchors reach IoU ≥ 0.5 for ${pct(d.anchorCoverage.all)} of training boxes (${pct(d.anchorCoverage.rare)} of ${d.rareName}s). CE's precision per seed: ${s.cePrecision.map(p).join(', ')}.`,
      '',
      mainTable(s, c.seeds),
      '',
      ...contrastLines(s),
    );
    if (s.sweep) lines.push('', `γ sweep at the paper's best α per γ (γ = 0 is α-CE, γ = 2 is FL above):`, '', sweepTable(s, c.seeds));
    lines.push('', `Convergence: AP gained in the last quarter of training, per run and for the seeds' mean curve (✓ flattened: < ${CONVERGENCE_TOLERANCE}).`, '', convergenceTable(s, c.seeds));
    if (s.budgetCheck) lines.push('', `Budget check: seed 0 at ${c.iterations} and at ${2 * c.iterations} steps (the same schedule, stretched):`, '', budgetTable(s, c.iterations));
    if (s.comparison) {
      lines.push('', `The same losses and seeds at ${s.comparison.iterations} steps (${s.comparison.source}) and at ${c.iterations}: what the longer schedule changed.`, '', comparisonTable(s, c.iterations, c.seeds));
    }
    lines.push('', `![${d.tag} PR](pr-${d.tag}.png) ![${d.tag} curves](curves-${d.tag}.png)`);
  }
  lines.push('', `Reproduce: \`${r.command}\` (runs took ${r.runSeconds} s of train + eval in all).`, '');
  return lines.join('\n');
}

/** The seeds' runs of one loss on one share (budget checks left out). */
const seedRuns = (r: StudyReport, s: ShareSummary, lossId: string): RunResult[] => r.runs.filter((x) => x.share === s.dataset.share && x.lossId === lossId && (x.budget ?? 1) === 1);

/** Rare-class PR curves of every loss of one share (mean over seeds), on one chart. */
export function prChartPng(r: StudyReport, s: ShareSummary): Promise<Buffer> {
  const losses = [...MAIN_LOSSES, ...(s.sweep ? SWEEP_LOSSES : [])];
  const series: LineSeries[] = losses.map((l) => {
    const curve = meanCurve(seedRuns(r, s, l.id).map((x) => x.rarePr));
    return { label: l.label, x: curve.recall, y: curve.precision.map((v) => Math.max(v, 0)) };
  });
  return renderLineChartPng(series, { width: 900, height: 600, title: `${s.dataset.rareName} (${pct(s.dataset.share)} of objects): PR at IoU 0.5, mean of ${r.config.seeds} seeds`, xLabel: 'recall', yLabel: 'precision', xRange: [0, 1], yRange: [0, 1] });
}

/** Validation AP during training, every loss of one share (mean over seeds). */
export function curvesChartPng(r: StudyReport, s: ShareSummary): Promise<Buffer> {
  const losses = [...MAIN_LOSSES, ...(s.sweep ? SWEEP_LOSSES : [])];
  const series: LineSeries[] = losses.map((l) => {
    const curve = meanValidationCurve(seedRuns(r, s, l.id).map((x) => x.curve));
    return { label: l.label, x: curve.map((p) => p.iteration), y: curve.map((p) => p.ap) };
  });
  return renderLineChartPng(series, { width: 900, height: 600, title: `${s.dataset.tag}: held-out AP during training, mean of ${r.config.seeds} seeds`, xLabel: 'step', yLabel: 'AP@[.50:.95]' });
}

/** study.json, study.md and the charts, each atomically (temp file + rename). */
export async function writeStudy(config: StudyConfig, report: StudyReport): Promise<void> {
  const p = studyPaths(config.out);
  for (const s of report.shares) {
    await writeFileAtomic(p.chart('pr', s.dataset.share), await prChartPng(report, s));
    await writeFileAtomic(p.chart('curves', s.dataset.share), await curvesChartPng(report, s));
  }
  await writeFileAtomic(p.studyJson, `${JSON.stringify(report, null, 2)}\n`);
  await writeFileAtomic(p.studyMd, studyMarkdown(report));
}
