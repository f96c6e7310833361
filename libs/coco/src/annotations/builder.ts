/**
 * Collects records as the reader finds them (in any section order), then cross-checks them:
 * duplicate ids, annotations pointing to unknown images or categories, boxes outside their image
 * (clipped with a count, or rejected when strict). Both the in-memory and the streaming reader
 * feed the same builder, so both give the same dataset.
 */
import { basename } from 'node:path';
import { bboxToXyxy, clipBox } from '../boxes';
import { CategoryMap } from './category-map';
import { CocoFormatError, describeValue, type RecordKind } from '../errors';
import { imagePath } from './paths';
import { isObject } from './record-checker';
import { checkAnnotation, checkCategory, checkImage, type ImageRecord } from './records';
import type { CocoCategory, CocoXywh, DatasetAnnotation, DatasetImage } from '../types';
import { CocoDataset } from './dataset';

export const REQUIRED_SECTIONS = ['images', 'annotations', 'categories'] as const;
export type Section = (typeof REQUIRED_SECTIONS)[number];

/** Boxes may pass the image edge by this much (decimal rounding in files) without counting as clipped. */
export const EDGE_TOLERANCE_PX = 1e-3;

export interface BuildOptions {
  /** Reject boxes that extend outside their image instead of clipping them. */
  strict: boolean;
  keepSegmentation: boolean;
}

export class DatasetBuilder {
  private readonly images: ImageRecord[] = [];
  private readonly annotations: DatasetAnnotation[] = [];
  private readonly categories: CocoCategory[] = [];
  private readonly seen = { image: new Map<number, number>(), annotation: new Map<number, number>(), category: new Map<number, number>() };
  private readonly sections = new Set<string>();
  private info: Record<string, unknown> = {};
  private licenses: unknown[] = [];

  constructor(
    readonly file: string,
    readonly imagesRoot: string,
    readonly options: BuildOptions,
  ) {}

  /** Marks a section as present (its value was an array). */
  startSection(section: Section): void {
    this.sections.add(section);
  }

  add(section: Section, raw: unknown, index: number): void {
    if (section === 'images') this.addImage(checkImage(this.file, raw, index), index);
    else if (section === 'categories') this.addCategory(checkCategory(this.file, raw, index), index);
    else this.addAnnotation(raw, index);
  }

  /** Top-level keys other than the three sections: `info` and `licenses` are kept, others ignored. */
  addOther(key: string, value: unknown): void {
    if (key === 'info' && isObject(value)) this.info = value;
    if (key === 'licenses' && Array.isArray(value)) this.licenses = value;
  }

  finish(streamed: boolean): CocoDataset {
    for (const s of REQUIRED_SECTIONS) {
      if (!this.sections.has(s)) throw new CocoFormatError(this.file, 'file', null, s, 'is missing (expected an array)');
    }
    const categoryMap = CategoryMap.fromCategories(this.categories);
    const images = this.images.map((r) => this.toDatasetImage(r));
    const byId = new Map(images.map((im) => [im.id, im]));
    let clipped = 0;
    let firstClipped = -1;
    for (const ann of this.annotations) {
      const image = byId.get(ann.imageId);
      if (!image) this.fail('annotation', ann.id, 'image_id', `refers to no image (got ${ann.imageId})`);
      if (!categoryMap.hasCocoId(ann.categoryId)) {
        this.fail('annotation', ann.id, 'category_id', `refers to no category (got ${ann.categoryId})`);
      }
      this.checkRleSize(ann, image);
      if (this.fitToImage(ann, image) && clipped++ === 0) firstClipped = ann.id;
      image.annotations.push(ann);
    }
    const stats = {
      images: images.length,
      annotations: this.annotations.length,
      crowdAnnotations: this.annotations.filter((a) => a.iscrowd).length,
      categories: this.categories.length,
      clippedBoxes: clipped,
      streamed,
    };
    const warnings = clipped
      ? [`${basename(this.file)}: ${clipped} box(es) extended outside their image and were clipped (first: annotation ${firstClipped})`]
      : [];
    const categories = [...this.categories].sort((a, b) => a.id - b.id);
    return new CocoDataset(this.file, this.imagesRoot, images, categories, categoryMap, stats, warnings, this.info, this.licenses);
  }

  private addImage(record: ImageRecord, index: number): void {
    this.checkUnique('image', record.id, index);
    this.images.push(record);
  }

  private addCategory(record: CocoCategory, index: number): void {
    this.checkUnique('category', record.id, index);
    this.categories.push(record);
  }

  private addAnnotation(raw: unknown, index: number): void {
    const r = checkAnnotation(this.file, raw, index, this.options.keepSegmentation);
    this.checkUnique('annotation', r.id, index);
    const ann: DatasetAnnotation = {
      id: r.id,
      imageId: r.imageId,
      categoryId: r.categoryId,
      box: bboxToXyxy(r.bbox),
      area: r.area,
      iscrowd: r.iscrowd,
    };
    if (r.segmentation) ann.segmentation = r.segmentation;
    this.annotations.push(ann);
  }

  private checkUnique(kind: 'image' | 'annotation' | 'category', id: number, index: number): void {
    const first = this.seen[kind].get(id);
    if (first !== undefined) this.fail(kind, id, 'id', `is duplicated (records #${first} and #${index})`);
    this.seen[kind].set(id, index);
  }

  private toDatasetImage(r: ImageRecord): DatasetImage {
    return { ...r, path: imagePath(this.imagesRoot, r.fileName), annotations: [] };
  }

  private checkRleSize(ann: DatasetAnnotation, image: DatasetImage): void {
    const seg = ann.segmentation;
    if (!seg || Array.isArray(seg)) return;
    if (seg.size[0] !== image.height || seg.size[1] !== image.width) {
      this.fail('annotation', ann.id, 'segmentation.size', `must be the image size [${image.height}, ${image.width}] (got ${describeValue(seg.size)})`);
    }
  }

  /**
   * Clips the box to its image; true if it extended past the image by more than rounding noise
   * (`EDGE_TOLERANCE_PX`), which counts as clipped, or throws when strict or when nothing is left.
   */
  private fitToImage(ann: DatasetAnnotation, image: DatasetImage): boolean {
    const b = ann.box;
    if (b[0] >= 0 && b[1] >= 0 && b[2] <= image.width && b[3] <= image.height) return false;
    ann.box = clipBox(b, image.width, image.height);
    const t = EDGE_TOLERANCE_PX;
    if (b[0] >= -t && b[1] >= -t && b[2] <= image.width + t && b[3] <= image.height + t) return false;
    const xywh: CocoXywh = [b[0], b[1], b[2] - b[0], b[3] - b[1]];
    const where = `${describeValue(xywh)} extends outside image ${image.id} (${image.width}x${image.height})`;
    if (this.options.strict) this.fail('annotation', ann.id, 'bbox', `${where} (strict mode)`);
    const c = ann.box;
    if (!(c[2] > c[0] && c[3] > c[1])) this.fail('annotation', ann.id, 'bbox', `${where} and lies entirely outside it`);
    return true;
  }

  private fail(kind: RecordKind, id: number, field: string, problem: string): never {
    throw new CocoFormatError(this.file, kind, id, field, problem);
  }
}
