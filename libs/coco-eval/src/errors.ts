import { UserError } from '@retina/errors';

/**
 * The one error a user can cause in this library: bad ground truth, bad detections or bad options.
 * The message names the input (`source`, e.g. a file path), the record and the field:
 * `dt.json: result 12: score must be a finite number (got null)`.
 */
export class CocoEvalInputError extends UserError {
  constructor(
    /** Which input was wrong: a file path or a name such as `groundTruth` / `detections` / `options`. */
    readonly source: string,
    /** Which record or option, e.g. `result 12` or `annotations[3] (id 41)`; empty for the whole input. */
    readonly location: string,
    /** What was wrong with it. */
    readonly detail: string,
  ) {
    super(location === '' ? `${source}: ${detail}` : `${source}: ${location}: ${detail}`);
    this.name = 'CocoEvalInputError';
  }
}

/** A short, printable rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
