import { det, groundTruth } from './__fixtures__/cases';
import { CocoEvalInputError, evaluateBbox, type CocoGroundTruth, type CocoResult } from './index';

const GT = groundTruth([1], [{ image_id: 1, bbox: [0, 0, 10, 10] }]);
const names = { sourceNames: { groundTruth: 'gt.json', detections: 'dt.json' } };

const withResult = (r: object): CocoResult[] => [det(1, [0, 0, 10, 10], 0.9), r as CocoResult];
const withAnnotation = (a: object): CocoGroundTruth => ({ ...GT, annotations: [...GT.annotations, a as CocoGroundTruth['annotations'][number]] });

describe('input validation: one clear error naming input, record and field', () => {
  it.each([
    ['an unknown image id', withResult({ image_id: 99, category_id: 1, bbox: [0, 0, 1, 1], score: 1 }), /^dt\.json: result 1: image_id 99 is not an image of the ground truth$/],
    ['an unknown category id', withResult({ image_id: 1, category_id: 7, bbox: [0, 0, 1, 1], score: 1 }), /^dt\.json: result 1: category_id 7 is not a category/],
    ['a missing score', withResult({ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }), /^dt\.json: result 1: missing field 'score'$/],
    ['a non-finite score', withResult({ image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: NaN }), /result 1: score must be a finite number \(got NaN\)/],
    ['a non-finite box', withResult({ image_id: 1, category_id: 1, bbox: [0, 0, Infinity, 1], score: 1 }), /result 1: bbox must be 4 finite numbers/],
    ['a box of 3 numbers', withResult({ image_id: 1, category_id: 1, bbox: [0, 0, 1], score: 1 }), /result 1: bbox must be 4 finite numbers .*\(got \[0,0,1\]\)/],
    ['a negative width', withResult({ image_id: 1, category_id: 1, bbox: [0, 0, -1, 1], score: 1 }), /result 1: bbox width and height must be >= 0/],
    ['a record that is not an object', withResult(['x'] as unknown as object), /result 1: must be an object/],
  ])('rejects detections with %s', (_, dts, message) => {
    expect(() => evaluateBbox(GT, dts, names)).toThrow(CocoEvalInputError);
    expect(() => evaluateBbox(GT, dts, names)).toThrow(message);
  });

  it.each([
    ['a missing area', withAnnotation({ id: 9, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1] }), /^gt\.json: annotations\[1\] \(id 9\): missing field 'area'$/],
    ['a duplicate annotation id', withAnnotation({ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], area: 1 }), /annotations\[1\] \(id 1\): id 1 appears more than once/],
    ['an annotation on an unknown image', withAnnotation({ id: 9, image_id: 5, category_id: 1, bbox: [0, 0, 1, 1], area: 1 }), /image_id 5 is not in images/],
    ['a bad iscrowd', withAnnotation({ id: 9, image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], area: 1, iscrowd: 2 }), /iscrowd must be 0 or 1 \(got 2\)/],
    ['duplicate image ids', { ...GT, images: [{ id: 1 }, { id: 1 }] }, /^gt\.json: images\[1\]: id 1 appears more than once$/],
    ['no categories list', { images: GT.images, annotations: GT.annotations } as CocoGroundTruth, /^gt\.json: categories: must be a list \(got undefined\)$/],
    ['a results list instead of a ground truth', [] as unknown as CocoGroundTruth, /^gt\.json: top level: must be a COCO object.*\(got a list\)$/],
  ])('rejects ground truth with %s', (_, gt, message) => {
    expect(() => evaluateBbox(gt, [], names)).toThrow(message);
  });

  it.each([
    [{ maxDets: [0] }, /^options: maxDets\[0\]: must be a positive integer \(got 0\)$/],
    [{ iouThresholds: [0.5, 1.5] }, /^options: iouThresholds\[1\]: must be a number in \(0, 1\]/],
    [{ imageIds: [1, 3] }, /^options: imageIds\[1\]: 3 is not an image id of the ground truth$/],
    [{ scoreThreshold: NaN }, /^options: scoreThreshold: must be a finite number/],
  ])('rejects bad options %j', (opts, message) => {
    expect(() => evaluateBbox(GT, [], opts)).toThrow(message);
  });

  it('accepts an empty results list (no detections: AP 0)', () => {
    expect(evaluateBbox(GT, []).stats[0]).toBe(0);
  });
});
