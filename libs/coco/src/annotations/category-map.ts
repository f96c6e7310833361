/**
 * The mapping between COCO category ids and the contiguous class indices 0..C-1 the model uses:
 * indices follow ascending COCO id. Small and serializable; saved with the model so that results
 * are written with the original ids.
 */
import { CocoError, describeValue } from '../errors';
import { isObject } from './record-checker';
import type { CocoCategory } from '../types';

/** A lookup or deserialization problem with a category map (unknown id, bad JSON). */
export class CategoryMapError extends CocoError {}

/** JSON form: the categories in contiguous-index order. */
export interface CategoryMapJson {
  categories: { id: number; name: string }[];
}

export class CategoryMap {
  /** COCO id of contiguous index i. */
  readonly ids: readonly number[];
  /** Name of contiguous index i. */
  readonly names: readonly string[];
  private readonly indexOf: ReadonlyMap<number, number>;

  private constructor(categories: readonly { id: number; name: string }[]) {
    const sorted = [...categories].sort((a, b) => a.id - b.id);
    this.ids = sorted.map((c) => c.id);
    this.names = sorted.map((c) => c.name);
    this.indexOf = new Map(this.ids.map((id, i) => [id, i]));
    if (this.indexOf.size !== this.ids.length) {
      throw new CategoryMapError(`category map: duplicate category id in ${describeValue(this.ids)}`);
    }
  }

  /** Builds the map from COCO category records (any order; ids must be distinct). */
  static fromCategories(categories: readonly CocoCategory[]): CategoryMap {
    return new CategoryMap(categories.map((c) => ({ id: c.id, name: c.name })));
  }

  /** Number of classes C. */
  get size(): number {
    return this.ids.length;
  }

  hasCocoId(cocoId: number): boolean {
    return this.indexOf.has(cocoId);
  }

  /** Contiguous index 0..C-1 of a COCO category id. */
  toContiguous(cocoId: number): number {
    const index = this.indexOf.get(cocoId);
    if (index === undefined) {
      throw new CategoryMapError(`category map: unknown COCO category id ${cocoId} (known: ${describeValue(this.ids)})`);
    }
    return index;
  }

  /** COCO category id of a contiguous index. */
  toCocoId(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.ids.length) {
      throw new CategoryMapError(`category map: class index ${index} is outside 0..${this.ids.length - 1}`);
    }
    return this.ids[index];
  }

  /** The sub-map of the given COCO ids (re-indexed contiguously). */
  subset(cocoIds: readonly number[]): CategoryMap {
    return new CategoryMap(cocoIds.map((id) => ({ id, name: this.names[this.toContiguous(id)] })));
  }

  toJSON(): CategoryMapJson {
    return { categories: this.ids.map((id, i) => ({ id, name: this.names[i] })) };
  }

  /** Inverse of `toJSON`; checks the shape and throws `CategoryMapError` naming the bad entry. */
  static fromJSON(json: unknown): CategoryMap {
    const list = isObject(json) ? json['categories'] : undefined;
    if (!Array.isArray(list)) {
      throw new CategoryMapError(`category map: expected { categories: [...] } (got ${describeValue(json)})`);
    }
    return new CategoryMap(list.map((entry, i) => checkEntry(entry, i)));
  }
}

function checkEntry(entry: unknown, i: number): { id: number; name: string } {
  const id = isObject(entry) ? entry['id'] : undefined;
  const name = isObject(entry) ? entry['name'] : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof name !== 'string') {
    throw new CategoryMapError(`category map: categories[${i}] must be { id: integer, name: string } (got ${describeValue(entry)})`);
  }
  return { id, name };
}
