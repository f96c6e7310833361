/**
 * Typed errors for everything a user can get wrong in a dataset. Each message is one line that names
 * the file, the record and the field. They are `UserError`s (@retina/errors): a CLI prints the line and
 * exits 2.
 */
import { basename } from 'node:path';
import { ExitCode, oneLine, UserError } from '@retina/errors';

export { oneLine };

/** Exit status for user errors (bad flag, bad input file), as every Retina CLI uses it. */
export const USER_ERROR_EXIT_CODE = ExitCode.UserError;

/** Base class of every error this package throws because of its input. */
export class CocoError extends UserError {
  constructor(message: string) {
    super(oneLine(message));
  }
}

/** Which kind of record an error is about; 'file' means the document as a whole. */
export type RecordKind = 'file' | 'image' | 'annotation' | 'category' | 'category-map';

/**
 * A problem with the annotation document: `instances_val.json: annotation 1234: bbox width must be
 * > 0 (got -3)`. `recordId` is the record's `id` (or its array index as `#7` when the id itself is bad).
 */
export class CocoFormatError extends CocoError {
  constructor(
    readonly file: string,
    readonly recordKind: RecordKind,
    readonly recordId: number | string | null,
    readonly field: string | null,
    readonly problem: string,
  ) {
    super(formatLocation(file, recordKind, recordId) + (field ? `${field} ` : '') + problem);
  }
}

/** Image files named by the annotation file that do not exist (all of them, listed in one error). */
export class MissingImagesError extends CocoError {
  /** How many names the message lists before "and N more". */
  static readonly LISTED = 10;
  constructor(
    readonly file: string,
    readonly imagesRoot: string,
    readonly missing: readonly { imageId: number; fileName: string }[],
  ) {
    const listed = missing.slice(0, MissingImagesError.LISTED).map((m) => `${m.fileName} (image ${m.imageId})`);
    const more = missing.length > listed.length ? `, and ${missing.length - listed.length} more` : '';
    super(
      `${basename(file)}: ${missing.length} image file(s) missing under ${imagesRoot}: ${listed.join(', ')}${more}`,
    );
  }
}

/** An image file that cannot be used: unreadable, too many pixels, or not the size the annotations say. */
export class ImageDecodeError extends CocoError {
  constructor(
    readonly imagePath: string,
    readonly reason: string,
  ) {
    super(`${imagePath}: ${reason}`);
  }
}

/** A bad option value passed to a function of this package (a programming or CLI-flag error). */
export class CocoOptionError extends CocoError {
  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(`option ${option}: ${problem}`);
  }
}

function formatLocation(file: string, kind: RecordKind, id: number | string | null): string {
  const name = basename(file);
  if (kind === 'file') return `${name}: `;
  return id === null ? `${name}: ${kind}: ` : `${name}: ${kind} ${id}: `;
}

/** A short, one-line rendering of a JSON value for "(got ...)" clauses. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
