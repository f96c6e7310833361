/**
 * Reads an annotation file into a `DatasetBuilder`: small files with one `JSON.parse`, large ones
 * (above `streamThresholdBytes`) record by record with `@retina/json-stream`, so that files such as
 * instances_train2017.json (≈450 MB) stay below V8's string limit and memory holds only the records.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { byteOrderMarkLength, JsonRecordScanner, JsonScanError, SectionTypeError, TopLevelTypeError } from '@retina/json-stream';
import { CocoFormatError } from '../errors';
import { isObject, jsonType } from './record-checker';
import { REQUIRED_SECTIONS, type DatasetBuilder, type Section } from './builder';

/** Reads the whole file and feeds its records to the builder. */
export async function readInMemory(file: string, builder: DatasetBuilder): Promise<void> {
  const bytes = await readFile(file);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8', byteOrderMarkLength(bytes)));
  } catch (err) {
    throw invalidJson(file, (err as Error).message);
  }
  if (!isObject(doc)) throw topLevelError(file, jsonType(doc));
  for (const [key, value] of Object.entries(doc)) {
    if (!isSection(key)) {
      builder.addOther(key, value);
      continue;
    }
    if (!Array.isArray(value)) throw sectionTypeError(file, key, jsonType(value));
    builder.startSection(key);
    value.forEach((record, i) => builder.add(key, record, i));
  }
}

/** Streams the file in 1 MiB chunks and feeds each record to the builder as soon as it is complete. */
export async function readStreaming(file: string, builder: DatasetBuilder): Promise<void> {
  const scanner = new JsonRecordScanner({
    isSection,
    onSectionStart: (key) => builder.startSection(key as Section),
    onRecord: (key, record, index) => builder.add(key as Section, record, index),
    keepOther: (key) => key === 'info' || key === 'licenses',
    onOther: (key, value) => builder.addOther(key, value),
  });
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) scanner.feed(chunk as Buffer);
    scanner.end();
  } catch (err) {
    if (err instanceof JsonScanError) throw invalidJson(file, err.message);
    if (err instanceof TopLevelTypeError) throw topLevelError(file, err.type);
    if (err instanceof SectionTypeError) throw sectionTypeError(file, err.key, err.type);
    throw err;
  }
}

function isSection(key: string): key is Section {
  return (REQUIRED_SECTIONS as readonly string[]).includes(key);
}

function invalidJson(file: string, message: string): CocoFormatError {
  return new CocoFormatError(file, 'file', null, null, `is not valid JSON: ${message}`);
}

function topLevelError(file: string, type: string): CocoFormatError {
  return new CocoFormatError(file, 'file', null, null, `top level must be an object with images, annotations and categories (got ${type})`);
}

function sectionTypeError(file: string, key: string, type: string): CocoFormatError {
  return new CocoFormatError(file, 'file', null, key, `must be an array (got ${type})`);
}
