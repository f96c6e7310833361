import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCocoDataset, type CocoDocument } from '@retina/coco';
import { ConvertError } from './errors';
import { convertVoc } from './from-voc';

const FIXTURES = join(__dirname, '..', '__fixtures__');

describe('convertVoc', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'voc-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('matches an independent conversion of the raccoon XML (1-based inclusive pixels)', async () => {
    const out = join(dir, 'raccoon.json');
    const summary = await convertVoc({ xmlDir: join(FIXTURES, 'voc'), out });
    expect(summary).toEqual({ images: 3, annotations: 6, categories: ['raccoon'] });
    const doc = JSON.parse(readFileSync(out, 'utf8')) as CocoDocument;
    // Expected values: the dataset's own COCO release (/work/shared/data/raccoon, see its SOURCE.md).
    const byFile = Object.fromEntries(doc.images.map((im) => [im.file_name, im]));
    expect(byFile['raccoon-1.jpg']).toMatchObject({ width: 650, height: 417 });
    expect(byFile['raccoon-119.jpg']).toMatchObject({ width: 400, height: 533 });
    const boxes = (file: string) => doc.annotations.filter((a) => a.image_id === byFile[file].id).map((a) => [a.bbox, a.area]);
    expect(boxes('raccoon-1.jpg')).toEqual([[[80, 87, 442, 321], 141882]]);
    expect(boxes('raccoon-72.jpg')).toEqual([
      [[218, 194, 228, 181], 41268],
      [[97, 33, 187, 303], 56661],
    ]);
    expect(boxes('raccoon-119.jpg')).toEqual([
      [[15, 61, 347, 292], 101324],
      [[210, 358, 67, 44], 2948],
      [[197, 391, 83, 82], 6806],
    ]);
    expect(doc.categories).toEqual([{ id: 1, name: 'raccoon' }]);
  });

  it('reads missing sizes from the image, decodes entities/CDATA, and maps difficult objects', async () => {
    const images = join(FIXTURES, 'corpus', 'images');
    const run = async (difficult: 'ignore' | 'drop' | 'keep') => {
      const out = join(dir, `edge-${difficult}.json`);
      await convertVoc({ xmlDir: join(FIXTURES, 'voc-edge'), images, out, difficult });
      return JSON.parse(readFileSync(out, 'utf8')) as CocoDocument;
    };
    const ignore = await run('ignore');
    expect(ignore.images).toEqual([{ id: 1, file_name: 'good.png', width: 64, height: 48 }]);
    expect(ignore.categories).toEqual([{ id: 1, name: 'cat & dog' }, { id: 2, name: 'dog' }]);
    expect(ignore.annotations.map((a) => [a.category_id, a.bbox, a.iscrowd])).toEqual([
      [1, [4, 6, 20, 10], 1],
      [2, [30.5, 20, 10, 20], 0],
    ]);
    expect((await run('drop')).annotations.map((a) => a.category_id)).toEqual([2]);
    expect((await run('keep')).annotations.map((a) => a.iscrowd)).toEqual([0, 0]);
    await expect(loadCocoDataset(join(dir, 'edge-ignore.json'), images)).resolves.toBeDefined();
  });

  it.each([
    ['<annotation><size><width>10</width><height>10</height></size></annotation>', 'bad.xml: <filename> is missing or empty'],
    ['<annotation><filename>../x.jpg</filename></annotation>', `bad.xml: <filename> must not contain '..' segments (got "../x.jpg")`],
    ['<annotation><filename>a.jpg</filename></annotation>', 'bad.xml: <size>: width and height must be positive integers (pass --images to read them from the image files)'],
    ['<annotation><filename>a.jpg</filename><size><width>9</width><height>9</height></size><object><name>x</name><bndbox><xmin>5</xmin><ymin>1</ymin><xmax>3</xmax><ymax>4</ymax></bndbox></object></annotation>', 'bad.xml: object 1: <xmax> must be >= <xmin> (got xmin=5, xmax=3)'],
    ['<annotation><filename>a.jpg</filename><size><width>9</width><height>9</height></size><object><name>x</name><bndbox><xmin>a</xmin></bndbox></object></annotation>', 'bad.xml: object 1: <xmin> must be a number (got "a")'],
    ['<annotation><filename>a.jpg</filename><size><width>9</width><height>9</height></size><object><name>x</name><difficult>2</difficult></object></annotation>', 'bad.xml: object 1: <difficult> must be 0 or 1 (got "2")'],
    ['<annotation>\n<filename>a.jpg</annotation>', 'bad.xml: line 2: invalid XML: closing tag </annotation> does not match <filename>'],
    ['<voc/>', 'bad.xml: root element must be <annotation> (got <voc>)'],
  ])('rejects %j with one line naming the file', async (xml, message) => {
    const xmlDir = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(xmlDir, 'bad.xml'), xml);
    const err = await convertVoc({ xmlDir, out: join(xmlDir, 'out.json') }).catch((e) => e);
    expect(err).toBeInstanceOf(ConvertError);
    expect(err.message).toBe(message);
  });

  it('rejects a class that is not in the given list', async () => {
    const xmlDir = join(dir, 'classes');
    mkdirSync(xmlDir);
    writeFileSync(join(xmlDir, 'a.xml'), readFileSync(join(FIXTURES, 'voc', 'raccoon-1.xml')));
    await expect(convertVoc({ xmlDir, out: join(dir, 'c.json'), classes: ['dog'] })).rejects.toThrow('a.xml: object 1: class "raccoon" is not in --classes (dog)');
  });
});
