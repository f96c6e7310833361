import type { CocoGroundTruth, CocoResult } from '@retina/coco-eval';
import { classAt50, parseEvalFile, rareCategory, runMetrics, validationCurve, type EvalFile } from './results';

/** A `retina-eval --json` file as the CLI writes it (three classes, the last one rare). */
const EVAL_JSON = {
  stats: [0.31, 0.52, 0.3, 0.1, 0.35, -1, 0.2, 0.4, 0.45, 0.2, 0.5, -1],
  perClass: [
    { categoryId: 1, name: 'circle', ap: 0.4, ap50: 0.6, ap75: 0.4, ar100: 0.5, numGt: 40, numDt: 90 },
    { categoryId: 2, name: 'rectangle', ap: 0.45, ap50: 0.7, ap75: 0.4, ar100: 0.5, numGt: 44, numDt: 80 },
    { categoryId: 3, name: 'triangle', ap: 0.08, ap50: 0.26, ap75: 0, ar100: 0.1, numGt: 4, numDt: 7 },
  ],
};
const EVAL_FILE: EvalFile = parseEvalFile(JSON.stringify(EVAL_JSON), 'eval.json');

describe('parseEvalFile', () => {
  it('reads the stats and per-class entries of a retina-eval --json file', () => {
    const parsed = parseEvalFile(JSON.stringify(EVAL_JSON, null, 2), 'eval.json');
    expect(parsed.stats).toEqual(EVAL_JSON.stats);
    expect(parsed.perClass.map((c) => [c.categoryId, c.name, c.ap])).toEqual([[1, 'circle', 0.4], [2, 'rectangle', 0.45], [3, 'triangle', 0.08]]);
  });

  it('names the file and the field that is wrong', () => {
    expect(() => parseEvalFile('{', 'runs/ce/eval.json')).toThrow(/^runs\/ce\/eval\.json: not JSON/);
    expect(() => parseEvalFile('[]', 'e.json')).toThrow(/^e\.json: stats must be 12 numbers$/);
    expect(() => parseEvalFile(JSON.stringify({ ...EVAL_JSON, stats: [1, 2] }), 'e.json')).toThrow(/^e\.json: stats must be 12 numbers$/);
    const noAp = { ...EVAL_JSON, perClass: [{ ...EVAL_JSON.perClass[0], ap: null }] };
    expect(() => parseEvalFile(JSON.stringify(noAp), 'e.json')).toThrow(/^e\.json: perClass\[0\]\.ap is missing or not a number$/);
    const noName = { ...EVAL_JSON, perClass: [{ ...EVAL_JSON.perClass[0], name: 3 }] };
    expect(() => parseEvalFile(JSON.stringify(noName), 'e.json')).toThrow(/^e\.json: perClass\[0\]\.name is missing or not a string$/);
  });
});

describe('runMetrics', () => {
  it('takes overall AP / AP50 from stats and the rare class from its per-class entry', () => {
    expect(runMetrics(EVAL_FILE, 3, 0.75, 'e.json')).toEqual({ ap: 0.31, ap50: 0.52, rareAp: 0.08, rareAp50: 0.26, rareRecall50: 0.75 });
  });

  it('refuses an eval file without the rare class', () => {
    expect(() => runMetrics(EVAL_FILE, 9, 0, 'runs/focal/eval.json')).toThrow(/^runs\/focal\/eval\.json: perClass has no category 9 \(the rare class\)$/);
  });
});

describe('rareCategory', () => {
  const ann = (id: number, category_id: number, iscrowd = 0) => ({ id, image_id: 1, category_id, bbox: [0, 0, 1, 1], area: 1, iscrowd });
  const categories = [
    { id: 3, name: 'triangle' },
    { id: 1, name: 'circle' },
    { id: 2, name: 'rectangle' },
  ];

  it('is the last category (the generator draws its rare class last), with its non-crowd annotations', () => {
    const doc = { categories, annotations: [ann(1, 1), ann(2, 3), ann(3, 2), ann(4, 3), ann(5, 3, 1)] };
    expect(rareCategory(doc, 'train.json')).toEqual({ id: 3, name: 'triangle', count: 2 });
    expect(rareCategory({ categories, annotations: [] }, 'train.json')).toEqual({ id: 3, name: 'triangle', count: 0 });
  });

  it('refuses a document without categories', () => {
    expect(() => rareCategory({ categories: [], annotations: [] }, 't.json')).toThrow(/^t\.json: no categories$/);
  });
});

describe('classAt50', () => {
  // Four triangles (category 3) of 10 × 10 px, one per image, and a circle in image 1.
  const gt: CocoGroundTruth = {
    images: [1, 2, 3, 4].map((id) => ({ id })),
    categories: [{ id: 1, name: 'circle' }, { id: 3, name: 'triangle' }],
    annotations: [
      ...[1, 2, 3, 4].map((i) => ({ id: i, image_id: i, category_id: 3, bbox: [10, 10, 10, 10], area: 100 })),
      { id: 5, image_id: 1, category_id: 1, bbox: [50, 50, 10, 10], area: 100 },
    ],
  };
  const dt = (image_id: number, category_id: number, bbox: number[], score = 0.9): CocoResult => ({ image_id, category_id, bbox, score });

  it('counts a rare object as found when a rare-class detection overlaps it with IoU ≥ 0.5', () => {
    const detections = [
      dt(1, 3, [10, 10, 10, 10]), // IoU 1
      dt(2, 3, [12, 10, 10, 10], 0.01), // IoU 80/120 = 0.667, a low score still counts
      dt(3, 3, [15, 10, 10, 10]), // IoU 50/150 = 0.333: a miss
      dt(4, 1, [10, 10, 10, 10]), // right box, wrong class: a miss
      dt(1, 1, [50, 50, 10, 10]), // another class's hit does not count
    ];
    const r = classAt50(gt, detections, 3);
    expect(r.recall).toBeCloseTo(2 / 4, 12);
    // PR at IoU 0.5, scores 0.9 (hit), 0.9 (miss), 0.01 (hit): precision 1 up to recall 1/4, then the
    // interpolated envelope max(1/2, 2/3) = 2/3 up to recall 1/2, 0 beyond (COCO's 101 points)
    expect(r.pr.recall).toHaveLength(101);
    expect(r.pr.precision[25]).toBeCloseTo(1, 12);
    expect(r.pr.precision[26]).toBeCloseTo(2 / 3, 12);
    expect(r.pr.precision[50]).toBeCloseTo(2 / 3, 12);
    expect(r.pr.precision[51]).toBe(0);
  });

  it('is 0 without detections and −1 for a class without ground truth', () => {
    expect(classAt50(gt, [], 3).recall).toBe(0);
    expect(classAt50({ ...gt, annotations: gt.annotations.filter((a) => a.category_id !== 3) }, [], 3).recall).toBe(-1);
  });
});

describe('validationCurve', () => {
  it('reads AP (stats[0]) at each validation from the epoch records of metrics.jsonl', () => {
    const lines = [
      { kind: 'step', iteration: 1, loss: 3 },
      { kind: 'epoch', iteration: 200, stats: [0.12, 0.3] },
      { kind: 'epoch', iteration: 400 }, // an epoch without validation
      { kind: 'epoch', iteration: 600, stats: [0.25, 0.5] },
    ].map((r) => JSON.stringify(r));
    expect(validationCurve(`${lines.join('\n')}\n`, 'm.jsonl')).toEqual([{ iteration: 200, ap: 0.12 }, { iteration: 600, ap: 0.25 }]);
  });

  it('names the file and line of a record that is not JSON', () => {
    expect(() => validationCurve('{"kind":"step"}\n{oops\n', 'runs/x/metrics.jsonl')).toThrow(/^runs\/x\/metrics\.jsonl:2: not JSON$/);
  });
});
