import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoEvalInputError, loadGroundTruthFile, loadResultsFile } from './index';

describe('loading files', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coco-eval-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a results file into columns', async () => {
    const path = file('dt.json', JSON.stringify([{ image_id: 3, category_id: 2, bbox: [1, 2, 3, 4], score: 0.5, extra: 'kept out' }]));
    const columns = await loadResultsFile(path);
    expect(columns.count).toBe(1);
    expect(Array.from(columns.boxes)).toEqual([1, 2, 3, 4]);
    expect([columns.imageIds[0], columns.categoryIds[0], columns.scores[0]]).toEqual([3, 2, 0.5]);
  });

  it('streams a large file chunk by chunk with the same result as JSON.parse', async () => {
    const records = Array.from({ length: 30000 }, (_, i) => ({ image_id: i % 97, category_id: 1 + (i % 5), bbox: [i, i / 3, 10.25, 7], score: (i % 1000) / 1000 }));
    const columns = await loadResultsFile(file('big.json', JSON.stringify(records)));
    expect(columns.count).toBe(records.length);
    expect(Array.from(columns.scores)).toEqual(records.map((r) => r.score));
    expect(Array.from(columns.boxes.subarray(4 * 29999))).toEqual(records[29999].bbox);
  });

  it.each([
    ['not-an-array.json', '{"annotations": []}', /not-an-array\.json: expected a JSON array, found an object/],
    ['missing-field.json', '[{"image_id": 1, "category_id": 1, "score": 1}]', /missing-field\.json: result 0: missing field 'bbox'$/],
    ['overflow.json', '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1e999}]', /overflow\.json: result 0: score must be a finite number \(got Infinity\)$/],
    ['truncated.json', '[{"image_id": 1, "category_id": 1, "bbox": [0, 0', /truncated\.json: result 0: unexpected end of file/],
  ])('names the file and record in errors (%s)', async (name, text, message) => {
    await expect(loadResultsFile(file(name, text))).rejects.toThrow(message);
  });

  it('reports an unreadable file as an input error', async () => {
    await expect(loadResultsFile(join(dir, 'absent.json'))).rejects.toThrow(CocoEvalInputError);
    await expect(loadGroundTruthFile(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read the file \(ENOENT/);
  });

  it('reports ground truth that is not JSON', async () => {
    await expect(loadGroundTruthFile(file('gt.json', '{"images": ['))).rejects.toThrow(/gt\.json: invalid JSON/);
  });
});
