import type { EvalParams } from './params';
import { maxDetsOf, STAT_DEFINITIONS } from './summarize';

/** Extra digits that expose whether a double sits exactly half-way between two roundings. */
const TIE_PROBE_DIGITS = 25;

/**
 * `x` with `digits` decimals as Python's `'{:0.Nf}'.format(x)`: correctly rounded, exact ties to
 * even (`0.0625` → `0.062`), where `Number.prototype.toFixed` rounds ties up.
 */
export function formatFixed(x: number, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  const probe = abs.toFixed(digits + TIE_PROBE_DIGITS);
  const tail = probe.slice(probe.length - TIE_PROBE_DIGITS);
  if (tail === '5'.padEnd(TIE_PROBE_DIGITS, '0')) {
    const truncated = probe.slice(0, probe.length - TIE_PROBE_DIGITS).replace(/\.$/, '');
    if (Number(truncated[truncated.length - 1]) % 2 === 0) return sign + truncated;
  }
  return sign + abs.toFixed(digits);
}

/**
 * The reference's 12-line summary, one string per line, e.g.
 * ` Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.100`.
 */
export function summaryLines(stats: readonly number[], params: EvalParams): string[] {
  const ious = params.iouThresholds;
  return STAT_DEFINITIONS.map((def, i) => {
    const title = (def.kind === 'AP' ? 'Average Precision' : 'Average Recall').padEnd(18);
    const iou = def.iouThreshold === undefined
      ? `${formatFixed(ious[0], 2)}:${formatFixed(ious[ious.length - 1], 2)}`
      : formatFixed(def.iouThreshold, 2);
    const maxDets = String(maxDetsOf(params.maxDets, def.maxDetsIndex)).padStart(3);
    return ` ${title} (${def.kind}) @[ IoU=${iou.padEnd(9)} | area=${def.area.padStart(6)} | maxDets=${maxDets} ] = ${formatFixed(stats[i], 3)}`;
  });
}
