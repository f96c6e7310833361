/**
 * The study's arithmetic, kept pure so that it can be checked against hand-computed cases: mean ±
 * standard deviation over seeds, the operating point of a PR curve, recall at a given precision, and
 * whether a validation curve has flattened.
 */

/** Mean and sample standard deviation (n − 1) of the defined values; `n` counts them. */
export interface MeanSd {
  readonly mean: number;
  /** 0 for a single value; NaN when there are none. */
  readonly sd: number;
  readonly n: number;
}

/** Mean ± sample standard deviation of the values that are not null (undefined metrics are left out). */
export function meanSd(values: readonly (number | null)[]): MeanSd {
  const v = values.filter((x): x is number => x !== null);
  const n = v.length;
  if (n === 0) return { mean: NaN, sd: NaN, n };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n === 1 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return { mean, sd, n };
}

/** "0.412 ± 0.031"; "–" when nothing was defined; "(n = 2)" appended when some seeds were undefined. */
export function formatMeanSd(m: MeanSd, seeds: number, digits = 3): string {
  if (m.n === 0) return '–';
  const text = `${m.mean.toFixed(digits)} ± ${m.sd.toFixed(digits)}`;
  return m.n < seeds ? `${text} (n = ${m.n})` : text;
}

/** A precision-recall curve sampled at recall thresholds (COCO: 101 points, precision interpolated). */
export interface PrPoints {
  readonly recall: readonly number[];
  readonly precision: readonly number[];
}

/** The curve's point of highest F1 = 2pr / (p + r); null when every point has p = 0 or r = 0. */
export function bestF1Point(c: PrPoints): { readonly recall: number; readonly precision: number; readonly f1: number } | null {
  let best: { recall: number; precision: number; f1: number } | null = null;
  c.recall.forEach((r, i) => {
    const p = c.precision[i];
    if (!(p > 0 && r > 0)) return;
    const f1 = (2 * p * r) / (p + r);
    if (best === null || f1 > best.f1) best = { recall: r, precision: p, f1 };
  });
  return best;
}

/**
 * The highest recall at which the curve's precision is at least `precision` (0 when it never is).
 * With COCO's interpolated precision (non-increasing in recall) this is the recall a detector reaches
 * when its score threshold is set to keep that precision.
 */
export function recallAtPrecision(c: PrPoints, precision: number): number {
  let recall = 0;
  c.recall.forEach((r, i) => {
    if (c.precision[i] >= precision - 1e-12 && r > recall) recall = r;
  });
  return recall;
}

/** A validation curve: AP at each validation, in step order. */
export interface CurvePoint {
  readonly iteration: number;
  readonly ap: number;
}

/** What `convergence` says of one run's curve. */
export interface Convergence {
  /** AP gained in the last quarter of the run: best AP after 75% of the steps − best AP before. */
  readonly lateGain: number;
  /** lateGain < tolerance: the curve has flattened. */
  readonly converged: boolean;
}

/** A curve that gains less than this in its last quarter has flattened (absolute AP). */
export const CONVERGENCE_TOLERANCE = 0.01;

/**
 * Whether a run's validation AP has flattened: the best AP of the validations in the last quarter of
 * the steps exceeds the best one before by less than `tolerance`. Null when the curve has no point
 * in one of the two parts (too few validations to say).
 */
export function convergence(curve: readonly CurvePoint[], iterations: number, tolerance = CONVERGENCE_TOLERANCE): Convergence | null {
  const cut = 0.75 * iterations;
  const before = curve.filter((p) => p.iteration <= cut).map((p) => p.ap);
  const after = curve.filter((p) => p.iteration > cut).map((p) => p.ap);
  if (before.length === 0 || after.length === 0) return null;
  const lateGain = Math.max(...after) - Math.max(...before);
  return { lateGain, converged: lateGain < tolerance };
}

/**
 * The point-wise mean of validation curves taken at the same steps (the seeds of one loss); empty
 * when there are none.
 * @throws Error when the curves were validated at different steps (runs of one design never are)
 */
export function meanValidationCurve(curves: readonly (readonly CurvePoint[])[]): CurvePoint[] {
  const steps = curves[0]?.map((p) => p.iteration) ?? [];
  for (const c of curves) {
    if (c.length !== steps.length || c.some((p, i) => p.iteration !== steps[i])) throw new Error(`validation curves at different steps (${steps.join(',')} vs ${c.map((p) => p.iteration).join(',')})`);
  }
  return steps.map((iteration, i) => ({ iteration, ap: curves.reduce((a, c) => a + c[i].ap, 0) / curves.length }));
}

/** The point-wise mean of curves sampled at the same recall thresholds (seeds of one loss). */
export function meanCurve(curves: readonly PrPoints[]): PrPoints {
  const recall = curves[0]?.recall ?? [];
  return { recall, precision: recall.map((_, i) => curves.reduce((a, c) => a + c.precision[i], 0) / curves.length) };
}
