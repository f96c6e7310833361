/** The loaded dataset: checked images with their annotations (boxes xyxy), categories, counts. */
import type { CategoryMap } from './category-map';
import type { CocoCategory, DatasetImage, LoadStats } from '../types';

export class CocoDataset {
  private readonly byId: ReadonlyMap<number, DatasetImage>;

  constructor(
    /** The annotation file it was read from. */
    readonly annotationFile: string,
    /** Absolute images root. */
    readonly imagesRoot: string,
    /** Images in file order. */
    readonly images: readonly DatasetImage[],
    /** Category records sorted by id. */
    readonly categories: readonly CocoCategory[],
    /** Contiguous class indices for all categories of the file. */
    readonly categoryMap: CategoryMap,
    readonly stats: LoadStats,
    /** One-line warnings (e.g. how many boxes were clipped); the caller decides whether to print. */
    readonly warnings: readonly string[],
    /** `info` and `licenses` of the file, as given (empty when absent). */
    readonly info: Readonly<Record<string, unknown>>,
    readonly licenses: readonly unknown[],
  ) {
    this.byId = new Map(images.map((im) => [im.id, im]));
  }

  getImage(id: number): DatasetImage | undefined {
    return this.byId.get(id);
  }
}
