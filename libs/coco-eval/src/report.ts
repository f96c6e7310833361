import type { BboxEvaluation } from './evaluate-bbox';
import { formatFixed } from './format';
import type { OperatingPoint } from './operating-points';
import type { ClassMetrics } from './per-class';

/** Orders of the per-class table. */
export const TABLE_ORDERS = ['id', 'name', 'ap'] as const;
export type TableOrder = (typeof TABLE_ORDERS)[number];

/** What `--json` writes: the 12 standard numbers and the per-class table. */
export interface EvalJson {
  readonly stats: number[];
  readonly perClass: ClassMetrics[];
}

export function evalJson(result: BboxEvaluation): EvalJson {
  return {
    stats: result.stats,
    perClass: result.perClass.map((c) => ({
      categoryId: c.categoryId,
      name: c.name,
      ap: c.ap,
      ap50: c.ap50,
      ap75: c.ap75,
      ar100: c.ar100,
      numGt: c.numGt,
      numDt: c.numDt,
    })),
  };
}

/** A metric with 3 decimals; '-' for −1 (no ground truth). */
const metric = (v: number): string => (v === -1 ? '-' : formatFixed(v, 3));

const compare: Record<TableOrder, (a: ClassMetrics, b: ClassMetrics) => number> = {
  id: (a, b) => a.categoryId - b.categoryId,
  name: (a, b) => a.name.localeCompare(b.name),
  ap: (a, b) => b.ap - a.ap || a.categoryId - b.categoryId,
};

/**
 * The per-class table: boxes, AP / AP50 / AP75 / AR100, then precision, recall and F1 at the score
 * threshold and the best-F1 threshold (both at IoU 0.5), one line per category.
 */
export function perClassTable(result: BboxEvaluation, order: TableOrder): string[] {
  const points = new Map<number, OperatingPoint>(result.operatingPoints.map((p) => [p.categoryId, p]));
  const at = formatFixed(result.params.scoreThreshold, 2);
  const header = ['id', 'name', 'GT', 'DT', 'AP', 'AP50', 'AP75', 'AR100', `P@${at}`, `R@${at}`, `F1@${at}`, 'bestF1', 'at score'];
  const rows = [...result.perClass].sort(compare[order]).map((c) => {
    const p = points.get(c.categoryId) as OperatingPoint;
    const best = p.bestF1;
    return [
      String(c.categoryId), c.name, String(c.numGt), String(c.numDt),
      metric(c.ap), metric(c.ap50), metric(c.ap75), metric(c.ar100),
      metric(p.precision), metric(p.recall), metric(p.f1),
      best ? formatFixed(best.f1, 3) : '-', best ? formatFixed(best.scoreThreshold, 3) : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((cell, i) => (i === 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(header), ...rows.map(line)];
}
