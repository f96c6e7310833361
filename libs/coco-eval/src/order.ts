/**
 * Stable counting sort of `items` by `keyOf[item]` (keys 0..numKeys-1) into `out`.
 * `starts` [numKeys + 1] receives each key's offset in `out`; `cursor` [numKeys] is scratch.
 */
export function groupByKey(
  items: Uint32Array,
  keyOf: Int32Array,
  numKeys: number,
  out: Uint32Array,
  starts: Uint32Array = new Uint32Array(numKeys + 1),
  cursor: Uint32Array = new Uint32Array(numKeys),
): Uint32Array {
  starts.fill(0, 0, numKeys + 1);
  for (let i = 0; i < items.length; i++) starts[keyOf[items[i]] + 1]++;
  for (let k = 0; k < numKeys; k++) {
    starts[k + 1] += starts[k];
    cursor[k] = starts[k];
  }
  for (let i = 0; i < items.length; i++) out[cursor[keyOf[items[i]]]++] = items[i];
  return starts;
}

/** 0, 1, …, n − 1. */
export function identity(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Stable counting sort by one key, returning a new array. */
const regroup = (items: Uint32Array, keyOf: Int32Array, numKeys: number): Uint32Array => {
  const out = new Uint32Array(items.length);
  groupByKey(items, keyOf, numKeys, out);
  return out;
};

const RADIX_BITS = 16;
const RADIX = 1 << RADIX_BITS;
const float = new Float64Array(1);
const words = new Uint32Array(float.buffer);
/** Index of a float64's high 32-bit word in `words` (1 on little-endian machines). */
const HIGH_WORD = ((): number => {
  float[0] = 1;
  return words[1] === 0x3ff00000 ? 1 : 0;
})();

/**
 * 64-bit keys whose unsigned order is descending score order: the IEEE bits with the sign bit
 * flipped for positives and all bits flipped for negatives, then inverted. −0 counts as +0.
 */
function descendingKeys(items: Uint32Array, scores: Float64Array): { high: Uint32Array; low: Uint32Array } {
  const high = new Uint32Array(items.length);
  const low = new Uint32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    float[0] = scores[items[i]] + 0;
    const hi = words[HIGH_WORD];
    const lo = words[1 - HIGH_WORD];
    const negative = hi >>> 31 === 1;
    high[i] = negative ? hi : ~(hi ^ 0x80000000) >>> 0;
    low[i] = negative ? lo : ~lo >>> 0;
  }
  return { high, low };
}

/** Stable LSD radix sort of `items` by descending score (4 passes of 16 bits). */
function sortByScoreDescending(items: Uint32Array, scores: Float64Array): Uint32Array {
  const keys = descendingKeys(items, scores);
  let [high, low]: Uint32Array[] = [keys.high, keys.low];
  let current: Uint32Array = items.slice();
  let nextItems: Uint32Array = new Uint32Array(items.length);
  let nextHigh: Uint32Array = new Uint32Array(items.length);
  let nextLow: Uint32Array = new Uint32Array(items.length);
  const counts = new Uint32Array(RADIX + 1);
  for (let pass = 0; pass < 4; pass++) {
    const word = pass < 2 ? low : high;
    const shift = (pass % 2) * RADIX_BITS;
    counts.fill(0);
    for (let i = 0; i < current.length; i++) counts[((word[i] >>> shift) & (RADIX - 1)) + 1]++;
    if (counts.some((c) => c === current.length)) continue; // one digit value: order unchanged
    for (let r = 0; r < RADIX; r++) counts[r + 1] += counts[r];
    for (let i = 0; i < current.length; i++) {
      const at = counts[(word[i] >>> shift) & (RADIX - 1)]++;
      nextItems[at] = current[i];
      nextHigh[at] = high[i];
      nextLow[at] = low[i];
    }
    [current, nextItems] = [nextItems, current];
    [high, nextHigh] = [nextHigh, high];
    [low, nextLow] = [nextLow, low];
  }
  return current;
}

/**
 * Detections in the order the reference's `accumulate` pools them: by evaluation category, then score
 * (highest first), then image, category and input order. The reference gets this from two stable
 * mergesorts by −score (per image, then over the image-ordered concatenation); restricted to one
 * image, it is also that image's order. Built from stable sorts: category, image, score, eval category.
 */
export function detectionOrder(
  evalCategory: Int32Array,
  numEvalCategories: number,
  scores: Float64Array,
  imageIndex: Int32Array,
  numImages: number,
  categoryIndex: Int32Array,
  numCategories: number,
): Uint32Array {
  const byCategory = regroup(identity(scores.length), categoryIndex, numCategories);
  const byImage = regroup(byCategory, imageIndex, numImages);
  return regroup(sortByScoreDescending(byImage, scores), evalCategory, numEvalCategories);
}

/**
 * Ground truth in the reference's per-image order: by category (ascending id), then input order.
 * (In class-agnostic mode the reference concatenates each image's boxes category by category.)
 */
export function groundTruthOrder(categoryIndex: Int32Array, numCategories: number): Uint32Array {
  return regroup(identity(categoryIndex.length), categoryIndex, numCategories);
}
