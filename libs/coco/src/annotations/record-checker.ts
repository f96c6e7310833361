/** Field checks for one JSON record; every failure throws a one-line `CocoFormatError`. */
import { CocoFormatError, describeValue, type RecordKind } from '../errors';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a JSON value is, in words, for error messages ("array", "string", ...). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Reads and checks the fields of one record; `fail` raises an error located at that record. */
export class RecordChecker {
  constructor(
    readonly file: string,
    readonly kind: RecordKind,
    public recordId: number | string,
    readonly record: JsonObject,
  ) {}

  fail(field: string | null, problem: string): never {
    throw new CocoFormatError(this.file, this.kind, this.recordId, field, problem);
  }

  has(field: string): boolean {
    return Object.hasOwn(this.record, field) && this.record[field] !== undefined;
  }

  get(field: string): unknown {
    return Object.hasOwn(this.record, field) ? this.record[field] : undefined;
  }

  /** A required integer ≥ `min`. */
  int(field: string, min: number): number {
    const v = this.get(field);
    if (v === undefined) this.fail(field, 'is missing');
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      this.fail(field, `must be an integer (got ${describeValue(v)})`);
    }
    if (v < min) this.fail(field, `must be >= ${min} (got ${v})`);
    return v;
  }

  /** A required finite number. */
  finite(field: string, value: unknown = this.get(field)): number {
    if (value === undefined) this.fail(field, 'is missing');
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(field, `must be a finite number (got ${describeValue(value)})`);
    }
    return value;
  }

  /** A required non-empty string. */
  string(field: string): string {
    const v = this.get(field);
    if (v === undefined) this.fail(field, 'is missing');
    if (typeof v !== 'string') this.fail(field, `must be a string (got ${describeValue(v)})`);
    if (v.length === 0) this.fail(field, 'must not be empty');
    return v;
  }

  /** An optional string (undefined when absent). */
  optionalString(field: string): string | undefined {
    if (!this.has(field)) return undefined;
    const v = this.get(field);
    if (typeof v !== 'string') this.fail(field, `must be a string (got ${describeValue(v)})`);
    return v;
  }
}
