/** Subsets of a dataset for a loader: image-id list, category filter, maximum image count. */
import type { CategoryMap } from './category-map';
import type { CocoDataset } from './dataset';
import { CocoOptionError } from '../errors';
import type { DatasetImage } from '../types';

export interface SubsetOptions {
  /** Only these image ids (in dataset order). Unknown ids are an error. */
  imageIds?: readonly number[];
  /** Only annotations of these COCO category ids; class indices are re-numbered over them. */
  categoryIds?: readonly number[];
  /** Drop images left without annotations (after the category filter). Default false. */
  skipEmptyImages?: boolean;
  /** At most this many images (the first ones, in dataset order, after the filters above). */
  maxImages?: number;
}

export interface Subset {
  images: DatasetImage[];
  categoryMap: CategoryMap;
}

export function selectSubset(dataset: CocoDataset, options: SubsetOptions): Subset {
  const { imageIds, categoryIds, skipEmptyImages = false, maxImages } = options;
  let images = [...dataset.images];
  if (imageIds) {
    const unknown = imageIds.filter((id) => !dataset.getImage(id));
    if (unknown.length) throw new CocoOptionError('imageIds', `unknown image id(s) ${unknown.slice(0, 10).join(', ')}`);
    const wanted = new Set(imageIds);
    images = images.filter((im) => wanted.has(im.id));
  }
  let categoryMap = dataset.categoryMap;
  if (categoryIds) {
    const unknown = categoryIds.filter((id) => !categoryMap.hasCocoId(id));
    if (unknown.length) throw new CocoOptionError('categoryIds', `unknown category id(s) ${unknown.join(', ')}`);
    categoryMap = categoryMap.subset(categoryIds);
    const keep = new Set(categoryIds);
    images = withCategories(images, (id) => keep.has(id));
  }
  if (skipEmptyImages) images = images.filter((im) => im.annotations.length > 0);
  if (maxImages !== undefined) {
    if (!Number.isInteger(maxImages) || maxImages < 1) throw new CocoOptionError('maxImages', `must be a positive integer (got ${maxImages})`);
    images = images.slice(0, maxImages);
  }
  return { images, categoryMap };
}

/** The images with only the annotations whose category passes `keep` (the images themselves all stay). */
export function withCategories(images: readonly DatasetImage[], keep: (categoryId: number) => boolean): DatasetImage[] {
  return images.map((im) => ({ ...im, annotations: im.annotations.filter((a) => keep(a.categoryId)) }));
}
