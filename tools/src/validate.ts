/**
 * `validate`: load and cross-check an annotation file, check that every image exists inside the
 * images root, read every image header (format, pixel limit, size agreeing with the annotations)
 * and optionally decode every image. The first problem (or all image problems at once) is thrown
 * as a one-line `CocoError`; otherwise a summary is returned.
 */
import { basename } from 'node:path';
import { CocoError, loadCocoDataset, verifyImages, type CocoDataset, type ImageProblem } from '@retina/coco';

export interface ValidateOptions {
  ann: string;
  images: string;
  /** Reject boxes outside their image instead of clipping them. */
  strict?: boolean;
  /** Decode every image fully (slower; finds corrupt pixel data, reports truncated images). */
  decode?: boolean;
  maxPixels?: number;
}

export interface ValidateSummary {
  file: string;
  images: number;
  annotations: number;
  crowdAnnotations: number;
  clippedBoxes: number;
  perCategory: { id: number; name: string; annotations: number }[];
  decoded: boolean;
  warnings: string[];
}

/** Images that cannot be used: the message gives the first problem and how many there are. */
export class InvalidImagesError extends CocoError {
  constructor(readonly problems: readonly ImageProblem[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more image problem(s))` : '';
    super(`${problems[0].error.message}${more}`);
  }
}

export async function validateDataset(o: ValidateOptions): Promise<ValidateSummary> {
  const dataset = await loadCocoDataset(o.ann, o.images, { strict: o.strict ?? false });
  const report = await verifyImages(dataset, { decode: o.decode ?? false, maxPixels: o.maxPixels });
  if (report.problems.length) throw new InvalidImagesError(report.problems);
  return {
    file: basename(o.ann),
    images: dataset.stats.images,
    annotations: dataset.stats.annotations,
    crowdAnnotations: dataset.stats.crowdAnnotations,
    clippedBoxes: dataset.stats.clippedBoxes,
    perCategory: countPerCategory(dataset),
    decoded: o.decode ?? false,
    warnings: [...dataset.warnings, ...report.warnings],
  };
}

function countPerCategory(dataset: CocoDataset): ValidateSummary['perCategory'] {
  const counts = new Map<number, number>();
  for (const im of dataset.images) for (const a of im.annotations) counts.set(a.categoryId, (counts.get(a.categoryId) ?? 0) + 1);
  return dataset.categories.map((c) => ({ id: c.id, name: c.name, annotations: counts.get(c.id) ?? 0 }));
}

/** The summary as printed by the CLI. */
export function formatSummary(s: ValidateSummary): string {
  const lines = [
    `${s.file}: OK`,
    `  images: ${s.images} (all present${s.decoded ? ', all decoded' : ', headers checked'})`,
    `  annotations: ${s.annotations} (${s.crowdAnnotations} crowd), boxes clipped: ${s.clippedBoxes}`,
    `  categories: ${s.perCategory.length}`,
    ...s.perCategory.map((c) => `    ${String(c.id).padStart(4)} ${c.name}: ${c.annotations}`),
  ];
  return lines.join('\n') + '\n';
}
