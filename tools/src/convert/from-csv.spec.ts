import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCocoDataset, MissingImagesError, type CocoDocument } from '@retina/coco';
import { ConvertError } from './errors';
import { convertCsv } from './from-csv';

const IMAGES = join(__dirname, '..', '__fixtures__', 'corpus', 'images');

describe('convertCsv', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'csv-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function csvFile(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  it('converts path,x1,y1,x2,y2,class rows (corner coordinates) with sizes from the images', async () => {
    const happy = csvFile(
      'boxes.csv',
      ['path,x1,y1,x2,y2,class', 'good.png,4,6,24,16,cat', `${join(IMAGES, 'good.jpg')},30,20,40.5,40,"dog, small"`, 'good.png,0,0,64,48,cat', 'good.jpg,,,,,'].join('\n'),
    );
    const out = join(dir, 'happy.json');
    expect(await convertCsv({ csv: happy, images: IMAGES, out })).toEqual({ images: 2, annotations: 3, categories: ['cat', 'dog, small'] });
    const doc = JSON.parse(readFileSync(out, 'utf8')) as CocoDocument;
    expect(doc.images).toEqual([
      { id: 1, file_name: 'good.png', width: 64, height: 48 },
      { id: 2, file_name: 'good.jpg', width: 64, height: 48 },
    ]);
    expect(doc.annotations.map((a) => [a.image_id, a.category_id, a.bbox, a.area])).toEqual([
      [1, 1, [4, 6, 20, 10], 200],
      [1, 1, [0, 0, 64, 48], 3072],
      [2, 2, [30, 20, 10.5, 20], 210],
    ]);
    await expect(loadCocoDataset(out, IMAGES, { strict: true })).resolves.toBeDefined();
  });

  it.each([
    ['good.png,4,6,24\n', 'bad.csv: line 1: expected 6 fields path,x1,y1,x2,y2,class (got 4)'],
    ['good.png,4,six,24,16,cat\n', 'bad.csv: line 1: y1 must be a number (got "six")'],
    ['good.png,24,6,4,16,cat\n', 'bad.csv: line 1: x2 must be > x1 (got x1=24, x2=4)'],
    ['good.png,4,6,24,6,cat\n', 'bad.csv: line 1: y2 must be > y1 (got y1=6, y2=6)'],
    ['good.png,4,6,24,16,\n', 'bad.csv: line 1: class is empty'],
    ['../good.png,4,6,24,16,cat\n', `bad.csv: line 1: path "../good.png" must name a file inside the images root ${IMAGES}`],
    ['/etc/passwd,4,6,24,16,cat\n', `bad.csv: line 1: path "/etc/passwd" must name a file inside the images root ${IMAGES}`],
    ['path,x1,y1,x2,y2,class\n', 'bad.csv: has no rows (expected path,x1,y1,x2,y2,class)'],
    ['good.png,1,1,2,2,"cat\n', 'bad.csv: line 1: unterminated quoted field'],
  ])('rejects %j with one line naming the file and line', async (text, message) => {
    const err = await convertCsv({ csv: csvFile('bad.csv', text), images: IMAGES, out: join(dir, 'bad.json') }).catch((e) => e);
    expect(err).toBeInstanceOf(ConvertError);
    expect(err.message).toBe(message);
  });

  it('lists all missing images in one error, and names an unreadable one', async () => {
    const csv = csvFile('missing.csv', 'a.jpg,1,1,2,2,x\ngood.png,1,1,2,2,x\nb.jpg,,,,,\n');
    const err = await convertCsv({ csv, images: IMAGES, out: join(dir, 'm.json') }).catch((e) => e);
    expect(err).toBeInstanceOf(MissingImagesError);
    expect(err.message).toBe(`missing.csv: 2 image file(s) missing under ${IMAGES}: a.jpg (image 1), b.jpg (image 3)`);
    const unreadable = csvFile('unreadable.csv', 'text.jpg,,,,,\n');
    await expect(convertCsv({ csv: unreadable, images: IMAGES, out: join(dir, 'u.json') })).rejects.toThrow(/text\.jpg: cannot decode image: /);
  });
});
