/**
 * The matcher's two reductions, accumulated pair by pair so that no [numGt, numAnchors] matrix is
 * needed. Only pairs with IoU > 0 are offered: every other pair is 0, which is what both reductions
 * start from.
 * - per anchor: the highest IoU and its GT, the lowest GT index on ties (the reference's argmax);
 * - per GT: the highest IoU and every anchor that reaches it (the low-quality ties), kept as linked
 *   lists in flat arrays so that offering a pair never allocates.
 */
import { thresholdLabels, type Thresholds } from './matcher';

const NONE = -1;

export class MatchState {
  /** [numAnchors] highest IoU over the GT boxes (0 where none overlaps). */
  readonly bestIou: Float32Array;
  /** [numAnchors] GT of that IoU (0 where none overlaps, like an argmax over a column of zeros). */
  readonly bestGt: Int32Array;
  private readonly gtBest: Float32Array;
  private readonly tieHead: Int32Array;
  private tieAnchor: Int32Array = new Int32Array(1024);
  private tieNext: Int32Array = new Int32Array(1024);
  private numTies = 0;

  constructor(numGt: number, numAnchors: number) {
    this.bestIou = new Float32Array(numAnchors);
    this.bestGt = new Int32Array(numAnchors);
    this.gtBest = new Float32Array(numGt);
    this.tieHead = new Int32Array(numGt).fill(NONE);
  }

  /** Records IoU `v` > 0 of GT `g` with anchor `a`. Offering a pair twice leaves the labels unchanged. */
  offer(g: number, a: number, v: number): void {
    const b = this.bestIou[a];
    if (v > b || (v === b && g < this.bestGt[a])) {
      this.bestIou[a] = v;
      this.bestGt[a] = g;
    }
    const gb = this.gtBest[g];
    if (v < gb) return;
    if (v > gb) {
      this.gtBest[g] = v;
      this.tieHead[g] = NONE;
    }
    this.pushTie(g, a);
  }

  /** Matcher codes per anchor (see matchAnchors). */
  labels(t: Thresholds): Int32Array {
    const out = thresholdLabels(this.bestIou, this.bestGt, t);
    if (!t.lowQuality) return out;
    for (let g = 0; g < this.gtBest.length; g++) {
      // a GT that overlaps no anchor ties with all of them at IoU 0: the reference restores them all
      if (this.gtBest[g] === 0) return this.bestGt.slice();
      for (let node = this.tieHead[g]; node !== NONE; node = this.tieNext[node]) {
        const a = this.tieAnchor[node];
        out[a] = this.bestGt[a];
      }
    }
    return out;
  }

  private pushTie(g: number, a: number): void {
    if (this.numTies === this.tieAnchor.length) {
      this.tieAnchor = grow(this.tieAnchor);
      this.tieNext = grow(this.tieNext);
    }
    this.tieAnchor[this.numTies] = a;
    this.tieNext[this.numTies] = this.tieHead[g];
    this.tieHead[g] = this.numTies++;
  }
}

function grow(a: Int32Array): Int32Array {
  const out = new Int32Array(2 * a.length);
  out.set(a);
  return out;
}
