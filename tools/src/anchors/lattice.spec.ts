import { anchorsPerLevel, boxIou, generateAnchors, resolveAnchorConfig, type AnchorConfig } from '@retina/anchors';
import { Rng } from '@retina/coco';
import { anchorLattice, bestAnchorIou } from './lattice';

const f = Math.fround;

/** Random float32 boxes over a padded image (some past its edges), sides log-uniform in 1..maxSide. */
function randomBoxes(rng: Rng, n: number, height: number, width: number, maxSide: number): Float32Array {
  const out = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const w = Math.exp(rng.uniform(0, Math.log(maxSide)));
    const h = Math.exp(rng.uniform(0, Math.log(maxSide)));
    const x = rng.uniform(-w / 4, width - (3 * w) / 4);
    const y = rng.uniform(-h / 4, height - (3 * h) / 4);
    out.set([x, y, x + w, y + h], 4 * i);
  }
  return out;
}

/** Brute force: boxIou of each box with every anchor, then the row maximum and where it is. */
function bruteForce(boxes: Float32Array, height: number, width: number, config: AnchorConfig) {
  const anchors = generateAnchors(height, width, config);
  const numAnchors = anchors.length / 4;
  const iou = boxIou(boxes, anchors);
  return Array.from({ length: boxes.length / 4 }, (_, i) => {
    const row = iou.subarray(i * numAnchors, (i + 1) * numAnchors);
    return row.reduce((m, v) => (v > m ? v : m), 0);
  });
}

/** Max of boxIou(box, anchors) over the anchors of one (level, base anchor). */
function bruteForceOfShape(box: Float32Array, height: number, width: number, config: AnchorConfig, level: number, base: number): number {
  const anchors = generateAnchors(height, width, config);
  const c = resolveAnchorConfig(config);
  const perLocation = c.ratios.length * c.sizes[0].length;
  const start = anchorsPerLevel(height, width, config).slice(0, level).reduce((a, b) => a + b, 0);
  const count = anchorsPerLevel(height, width, config)[level];
  const iou = boxIou(box, anchors.subarray(4 * start, 4 * (start + count)));
  return iou.filter((_, j) => j % perLocation === base).reduce((m, v) => (v > m ? v : m), 0);
}

const CASES: { name: string; height: number; width: number; config: AnchorConfig; maxSide: number }[] = [
  { name: 'RetinaNet defaults on 896 × 1280', height: 896, width: 1280, config: {}, maxSide: 900 },
  { name: 'offset 0.5, 4 ratios, 2 scales on 384 × 512', height: 384, width: 512, config: { offset: 0.5, ratios: [0.25, 0.5, 1, 3], scales: [1, 1.5] }, maxSide: 400 },
  { name: 'small odd sizes on strides 4 … 16 of 128 × 256', height: 128, width: 256, config: { levels: [2, 3, 4], baseSizes: [5, 11, 23], scales: [1, 1.3], ratios: [0.7, 1.9] }, maxSide: 60 },
];

describe('bestAnchorIou (lattice fast path)', () => {
  it.each(CASES)('equals the brute-force max of boxIou over generateAnchors bit for bit: $name', ({ height, width, config, maxSide }) => {
    const boxes = randomBoxes(new Rng(7), 120, height, width, maxSide);
    const lattice = anchorLattice(height, width, resolveAnchorConfig(config));
    const fast = Array.from({ length: 120 }, (_, i) => bestAnchorIou(lattice, boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]).iou);
    expect(fast).toEqual(bruteForce(boxes, height, width, config));
    expect(fast.filter((v) => v >= 0.5).length).toBeGreaterThan(10);
  });

  it('names the level and base anchor that reach the best IoU', () => {
    const { height, width, config } = CASES[1];
    const boxes = randomBoxes(new Rng(3), 20, height, width, 300);
    const lattice = anchorLattice(height, width, resolveAnchorConfig(config));
    for (let i = 0; i < 20; i++) {
      const box = boxes.subarray(4 * i, 4 * i + 4);
      const best = bestAnchorIou(lattice, box[0], box[1], box[2], box[3]);
      expect(bruteForceOfShape(box, height, width, config, best.level, best.base)).toBe(best.iou);
    }
  });

  it('matches the brute force to 1e-6 with an offset that is not exact in float32 (0.3)', () => {
    const config = { offset: 0.3 };
    const boxes = randomBoxes(new Rng(11), 60, 512, 640, 600);
    const lattice = anchorLattice(512, 640, resolveAnchorConfig(config));
    const expected = bruteForce(boxes, 512, 640, config);
    for (let i = 0; i < 60; i++) expect(bestAnchorIou(lattice, boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]).iou).toBeCloseTo(expected[i], 6);
  });

  it('gives IoU exactly 1 to a box equal to an anchor, on every level and base shape', () => {
    const anchors = generateAnchors(640, 640);
    const lattice = anchorLattice(640, 640, resolveAnchorConfig({}));
    for (let a = 0; a < anchors.length / 4; a += 997) {
      const [x1, y1, x2, y2] = anchors.subarray(4 * a, 4 * a + 4);
      expect(bestAnchorIou(lattice, x1, y1, x2, y2).iou).toBe(1);
    }
  });

  it('gives a 4 × 400 sliver its hand-computed best: the 28 × 56 anchor (size 40, ratio 2), IoU 4·56 / (1600 + 28·56 − 4·56)', () => {
    const lattice = anchorLattice(640, 640, resolveAnchorConfig({}));
    const best = bestAnchorIou(lattice, f(300), f(100), f(304), f(500));
    expect(best.iou).toBeCloseTo(224 / 2944, 6);
    expect([best.level, best.base]).toEqual([0, 2 * 3 + 1]);
  });
});
