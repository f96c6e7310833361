/**
 * The page's detections against `retina-eval predict`'s on the same images: the same images and
 * sizes, the same number of detections, and each page detection paired with a predicted one of the
 * same category whose box corners are within `boxTolerance` px and score within `scoreTolerance`.
 */

export interface Det {
  box: readonly number[];
  categoryId: number;
  score: number;
}

export interface ImageDets {
  /** File name (without folders). */
  name: string;
  width: number;
  height: number;
  detections: readonly Det[];
}

export interface Comparison {
  images: number;
  /** Detection pairs compared. */
  compared: number;
  /** Largest corner difference (px) and score difference over the pairs. */
  maxBox: number;
  maxScore: number;
  /** Every disagreement, one line each; empty when the two agree. */
  problems: string[];
}

const boxDiff = (a: readonly number[], b: readonly number[]): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

export function compareDetections(page: readonly ImageDets[], reference: readonly ImageDets[], boxTolerance: number, scoreTolerance: number): Comparison {
  const result: Comparison = { images: 0, compared: 0, maxBox: 0, maxScore: 0, problems: [] };
  const names = (list: readonly ImageDets[]) => list.map((i) => i.name).join(', ');
  if (names(page) !== names(reference)) result.problems.push(`images differ: page [${names(page)}], reference [${names(reference)}]`);
  for (const ref of reference) {
    const mine = page.find((p) => p.name === ref.name);
    if (!mine) continue;
    result.images++;
    if (mine.width !== ref.width || mine.height !== ref.height) result.problems.push(`${ref.name}: size ${mine.width}×${mine.height}, reference ${ref.width}×${ref.height}`);
    if (mine.detections.length !== ref.detections.length) {
      result.problems.push(`${ref.name}: ${mine.detections.length} detections, reference ${ref.detections.length}`);
    }
    const free = [...ref.detections];
    for (const d of mine.detections) {
      let best = -1;
      for (let k = 0; k < free.length; k++) {
        if (free[k].categoryId === d.categoryId && (best < 0 || boxDiff(d.box, free[k].box) < boxDiff(d.box, free[best].box))) best = k;
      }
      if (best < 0) {
        result.problems.push(`${ref.name}: no reference detection left for [${d.box}] category ${d.categoryId} score ${d.score}`);
        continue;
      }
      const [r] = free.splice(best, 1);
      const db = boxDiff(d.box, r.box);
      const ds = Math.abs(d.score - r.score);
      result.compared++;
      result.maxBox = Math.max(result.maxBox, db);
      result.maxScore = Math.max(result.maxScore, ds);
      if (db > boxTolerance || ds > scoreTolerance) result.problems.push(`${ref.name}: [${d.box}] ${d.score} vs reference [${r.box}] ${r.score}`);
    }
  }
  return result;
}
