/** Structural checks of COCO `segmentation` values (polygons or RLE); returns a fresh copy. */
import { describeValue } from '../errors';
import { isObject, type RecordChecker } from './record-checker';
import type { CocoPolygon, CocoRle, CocoSegmentation } from '../types';

export function checkSegmentation(c: RecordChecker, value: unknown): CocoSegmentation {
  if (Array.isArray(value)) return value.map((p, i) => checkPolygon(c, p, i));
  if (isObject(value)) return checkRle(c, value);
  return c.fail('segmentation', `must be a list of polygons or an RLE object (got ${describeValue(value)})`);
}

function checkPolygon(c: RecordChecker, value: unknown, index: number): CocoPolygon {
  const field = `segmentation[${index}]`;
  if (!Array.isArray(value) || value.length < 6 || value.length % 2 !== 0) {
    c.fail(field, `must be a polygon [x0, y0, x1, y1, ...] of at least 3 points (got ${describeValue(value)})`);
  }
  return value.map((x, i) => c.finite(`${field}[${i}]`, x));
}

function checkRle(c: RecordChecker, value: Record<string, unknown>): CocoRle {
  const size = value['size'];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((s) => Number.isSafeInteger(s) && s > 0)) {
    c.fail('segmentation.size', `must be [height, width] of positive integers (got ${describeValue(size)})`);
  }
  const counts = value['counts'];
  if (typeof counts === 'string') return { counts, size: [size[0], size[1]] };
  if (!Array.isArray(counts) || !counts.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    c.fail('segmentation.counts', `must be a string or a list of non-negative integers (got ${describeValue(counts)})`);
  }
  const total = counts.reduce((a: number, n: number) => a + n, 0);
  if (total !== size[0] * size[1]) {
    c.fail('segmentation.counts', `must sum to height * width = ${size[0] * size[1]} (got ${total})`);
  }
  return { counts: counts.slice(), size: [size[0], size[1]] };
}
