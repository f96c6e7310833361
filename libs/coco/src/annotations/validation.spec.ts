/**
 * Every validation error of the annotation loader, each triggered by a small fixture document,
 * through both readers (in memory and streaming): one line naming file, record and field.
 */
import { join } from 'node:path';
import { CocoFormatError } from '../errors';
import { loadCocoDataset } from './load';
import { tempDir, validDoc, writeJson } from '../__fixtures__/helpers';

type Doc = ReturnType<typeof validDoc>;

interface Case {
  name: string;
  mutate: (d: Doc) => unknown;
  kind: string;
  id: number | string | null;
  field: string | null;
  message: RegExp;
  strict?: boolean;
}

const a0 = (d: Doc) => d.annotations[0];

const CASES: Case[] = [
  { name: 'negative bbox width', mutate: (d) => ((a0(d).bbox = [1, 2, -3, 4]), d), kind: 'annotation', id: 10, field: 'bbox width', message: /^instances_val\.json: annotation 10: bbox width must be > 0 \(got -3\)$/ },
  { name: 'zero bbox height', mutate: (d) => ((a0(d).bbox = [1, 2, 3, 0]), d), kind: 'annotation', id: 10, field: 'bbox height', message: /annotation 10: bbox height must be > 0 \(got 0\)$/ },
  { name: 'NaN coordinate (null in JSON)', mutate: (d) => ((a0(d).bbox = [1, NaN, 3, 4]), d), kind: 'annotation', id: 10, field: 'bbox[1]', message: /annotation 10: bbox\[1\] must be a finite number \(got null\)$/ },
  { name: 'bbox of 3 numbers', mutate: (d) => ((a0(d).bbox = [1, 2, 3]), d), kind: 'annotation', id: 10, field: 'bbox', message: /annotation 10: bbox must be an array of 4 numbers \[x, y, width, height\] \(got \[1,2,3\]\)$/ },
  { name: 'bbox missing', mutate: (d) => (delete a0(d).bbox, d), kind: 'annotation', id: 10, field: 'bbox', message: /annotation 10: bbox is missing$/ },
  { name: 'string coordinate', mutate: (d) => ((a0(d).bbox = [1, '2', 3, 4]), d), kind: 'annotation', id: 10, field: 'bbox[1]', message: /bbox\[1\] must be a finite number \(got "2"\)$/ },
  { name: 'box outside image (strict)', mutate: (d) => ((a0(d).bbox = [50, 6, 20, 10]), d), strict: true, kind: 'annotation', id: 10, field: 'bbox', message: /annotation 10: bbox \[50,6,20,10\] extends outside image 1 \(64x48\) \(strict mode\)$/ },
  { name: 'box entirely outside image', mutate: (d) => ((a0(d).bbox = [70, 6, 20, 10]), d), kind: 'annotation', id: 10, field: 'bbox', message: /annotation 10: bbox \[70,6,20,10\] extends outside image 1 \(64x48\) and lies entirely outside it$/ },
  { name: 'unknown image', mutate: (d) => ((a0(d).image_id = 99), d), kind: 'annotation', id: 10, field: 'image_id', message: /annotation 10: image_id refers to no image \(got 99\)$/ },
  { name: 'unknown category', mutate: (d) => ((a0(d).category_id = 5), d), kind: 'annotation', id: 10, field: 'category_id', message: /annotation 10: category_id refers to no category \(got 5\)$/ },
  { name: 'duplicate annotation id', mutate: (d) => ((d.annotations[2].id = 10), d), kind: 'annotation', id: 10, field: 'id', message: /annotation 10: id is duplicated \(records #0 and #2\)$/ },
  { name: 'duplicate image id', mutate: (d) => ((d.images[1].id = 1), d), kind: 'image', id: 1, field: 'id', message: /image 1: id is duplicated \(records #0 and #1\)$/ },
  { name: 'duplicate category id', mutate: (d) => ((d.categories[1].id = 7), d), kind: 'category', id: 7, field: 'id', message: /category 7: id is duplicated/ },
  { name: 'iscrowd 2', mutate: (d) => ((a0(d).iscrowd = 2), d), kind: 'annotation', id: 10, field: 'iscrowd', message: /annotation 10: iscrowd must be 0 or 1 \(got 2\)$/ },
  { name: 'negative area', mutate: (d) => ((a0(d).area = -1), d), kind: 'annotation', id: 10, field: 'area', message: /annotation 10: area must be >= 0 \(got -1\)$/ },
  { name: 'annotation id not an integer', mutate: (d) => ((a0(d).id = 1.5), d), kind: 'annotation', id: '#0', field: 'id', message: /annotation #0: id must be an integer \(got 1\.5\)$/ },
  { name: 'annotation not an object', mutate: (d) => ((d.annotations[1] = [1, 2] as never), d), kind: 'annotation', id: '#1', field: null, message: /annotation #1: must be an object \(got array\)$/ },
  { name: 'image width as string', mutate: (d) => ((d.images[0].width = '64'), d), kind: 'image', id: 1, field: 'width', message: /image 1: width must be an integer \(got "64"\)$/ },
  { name: 'image height zero', mutate: (d) => ((d.images[0].height = 0), d), kind: 'image', id: 1, field: 'height', message: /image 1: height must be >= 1 \(got 0\)$/ },
  { name: 'file_name missing', mutate: (d) => (delete d.images[1].file_name, d), kind: 'image', id: 2, field: 'file_name', message: /image 2: file_name is missing$/ },
  { name: 'absolute file_name', mutate: (d) => ((d.images[1].file_name = '/etc/passwd'), d), kind: 'image', id: 2, field: 'file_name', message: /image 2: file_name must be a path relative to the images root \(got "\/etc\/passwd"\)$/ },
  { name: 'file_name with ..', mutate: (d) => ((d.images[1].file_name = 'x/../../secret.png'), d), kind: 'image', id: 2, field: 'file_name', message: /file_name must not contain '\.\.' segments/ },
  { name: 'Windows drive path', mutate: (d) => ((d.images[1].file_name = 'C:\\x.png'), d), kind: 'image', id: 2, field: 'file_name', message: /must be a path relative to the images root/ },
  { name: 'category without name', mutate: (d) => (delete d.categories[0].name, d), kind: 'category', id: 7, field: 'name', message: /category 7: name is missing$/ },
  { name: 'bad polygon', mutate: (d) => ((a0(d).segmentation = [[1, 2, 3, 4]]), d), kind: 'annotation', id: 10, field: 'segmentation[0]', message: /segmentation\[0\] must be a polygon \[x0, y0, x1, y1, \.\.\.\] of at least 3 points/ },
  { name: 'RLE of the wrong size', mutate: (d) => ((a0(d).segmentation = { counts: [6, 6], size: [3, 4] }), d), kind: 'annotation', id: 10, field: 'segmentation.size', message: /segmentation\.size must be the image size \[48, 64\] \(got \[3,4\]\)$/ },
  { name: 'RLE counts not summing to the mask size', mutate: (d) => ((a0(d).segmentation = { counts: [5, 6], size: [48, 64] }), d), kind: 'annotation', id: 10, field: 'segmentation.counts', message: /must sum to height \* width = 3072 \(got 11\)$/ },
  { name: 'segmentation of a wrong type', mutate: (d) => ((a0(d).segmentation = 'mask'), d), kind: 'annotation', id: 10, field: 'segmentation', message: /segmentation must be a list of polygons or an RLE object \(got "mask"\)$/ },
  { name: 'categories missing', mutate: (d) => ({ images: d.images, annotations: d.annotations }), kind: 'file', id: null, field: 'categories', message: /^instances_val\.json: categories is missing \(expected an array\)$/ },
  { name: 'images not an array', mutate: (d) => ({ ...d, images: {} }), kind: 'file', id: null, field: 'images', message: /^instances_val\.json: images must be an array \(got object\)$/ },
  { name: 'top level an array', mutate: () => [], kind: 'file', id: null, field: null, message: /^instances_val\.json: top level must be an object with images, annotations and categories \(got array\)$/ },
];

describe('annotation validation errors (each through both readers)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  describe.each([
    ['in memory', Infinity],
    ['streaming', 0],
  ])('%s', (_reader, threshold) => {
    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const file = writeJson(join(tmp.dir, c.name.replace(/\W+/g, '-'), 'instances_val.json'), c.mutate(validDoc()));
      const err = await loadCocoDataset(file, tmp.dir, { checkFiles: false, strict: c.strict, streamThresholdBytes: threshold }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CocoFormatError);
      const e = err as CocoFormatError;
      expect(e.message).toMatch(c.message);
      expect(e.message).not.toMatch(/\n/);
      expect([e.file, e.recordKind, e.recordId, e.field]).toEqual([file, c.kind, c.id, c.field]);
      expect(e.exitCode).toBe(2);
    });
  });

  it.each([
    ['truncated', '{"images": [{"id": 1'],
    ['trailing comma', '{"images": [], "annotations": [], "categories": [],}'],
    ['garbage', 'hello'],
  ])('invalid JSON (%s) is one line naming the file, through both readers', async (name, text) => {
    const file = writeJson(join(tmp.dir, `bad-${name}`, 'instances_val.json'), text);
    for (const threshold of [Infinity, 0]) {
      const err = (await loadCocoDataset(file, tmp.dir, { checkFiles: false, streamThresholdBytes: threshold }).catch((e) => e)) as CocoFormatError;
      expect(err).toBeInstanceOf(CocoFormatError);
      expect(err.message).toMatch(/^instances_val\.json: (is not valid JSON: .+|top level must be an object .*)$/);
    }
  });
});
