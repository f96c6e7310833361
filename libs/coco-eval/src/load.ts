import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { JsonRecordScanner, JsonScanError, TopLevelTypeError } from '@retina/json-stream';
import { DetectionColumnsBuilder } from './columns';
import { CocoEvalInputError } from './errors';
import type { CocoGroundTruth, DetectionColumns } from './types';

/** Bytes read at a time from a results file. */
const CHUNK_BYTES = 1 << 20;

function readFailure(path: string, e: unknown): CocoEvalInputError | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  return new CocoEvalInputError(path, '', `cannot read the file (${(e as Error).message})`);
}

/**
 * Streams a COCO results file (a JSON list of `{image_id, category_id, bbox, score}`) into columns,
 * validating every record; memory is the columns plus one read chunk, whatever the file size.
 * @throws CocoEvalInputError naming the file and record (`dt.json: result 12: ...`)
 */
export async function loadResultsFile(path: string): Promise<DetectionColumns> {
  const builder = new DetectionColumnsBuilder(path);
  const scanner = JsonRecordScanner.forArray((value) => builder.add(value));
  const hint = ' (a results file is a JSON list of {image_id, category_id, bbox, score})';
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) scanner.feed(chunk as Buffer);
    scanner.end();
  } catch (e) {
    if (e instanceof TopLevelTypeError) throw new CocoEvalInputError(path, '', `expected a JSON array, found ${e.type === 'object' ? 'an object' : e.type} at the start${hint}`);
    if (e instanceof JsonScanError) {
      const where = e.record ? `result ${e.record.index}` : '';
      throw new CocoEvalInputError(path, where, `${e.detail} (byte ${e.byte})${e.record ? '' : hint}`);
    }
    throw readFailure(path, e) ?? e;
  }
  return builder.build();
}

/**
 * Reads a COCO instances JSON file. Its content is validated by `evaluateBbox` (pass the path as
 * `sourceNames.groundTruth` so that errors name the file).
 * @throws CocoEvalInputError when the file cannot be read or is not JSON
 */
export async function loadGroundTruthFile(path: string): Promise<CocoGroundTruth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw readFailure(path, e) ?? e;
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as CocoGroundTruth;
  } catch (e) {
    throw new CocoEvalInputError(path, '', `invalid JSON (${(e as Error).message})`);
  }
}
