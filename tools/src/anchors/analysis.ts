/**
 * Anchor analysis: how well an anchor configuration covers the GT boxes of a COCO dataset as
 * training sees them (resized, on the padded image's anchor grid), and optionally a better one.
 * `analyzeAnchors` is the pure pipeline (images in, report out); `runAnchorAnalysis` reads the
 * annotation file and writes the JSON report.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { loadCocoDataset, type DatasetImage } from '@retina/coco';
import { writeFileAtomic } from '@retina/engine/node';
import { checkResizeSettings, collectBoxes, DEFAULT_RESIZE, type ResizeSettings } from './boxes';
import { AnchorAnalysisError, checkAnchorFlags, formatAnchorFlags, formatTrainFlags, type AnchorFlags } from './config-flags';
import { bestIous, coverageReport, type CoverageReport } from './coverage';
import { suggestAnchors, type SuggestOptions } from './suggest';

export interface AnchorAnalysisOptions {
  /** The configuration to analyse; missing fields take the RetinaNet defaults. */
  anchors?: Partial<AnchorFlags>;
  resize?: Partial<ResizeSettings>;
  /** Also search for a better configuration (false: don't). */
  suggest?: false | SuggestOptions;
}

export interface SuggestionReport {
  config: AnchorFlags;
  /** The flags that reproduce `config`. */
  flags: string;
  /** The retina-train flags that train with `config` (undefined when the trainer cannot take it). */
  trainFlags?: string;
  /** True when the clustering found nothing better and the given config is returned. */
  keptInput: boolean;
  seed: number;
  restarts: number;
  clusteredBoxes: number;
  coverage: CoverageReport;
}

export interface AnchorReport {
  /** The annotation file (empty for in-memory images). */
  annotationFile: string;
  resize: ResizeSettings;
  config: AnchorFlags;
  flags: string;
  anchorsPerLocation: number;
  images: number;
  /** GT boxes analysed: non-crowd, non-degenerate after resizing. */
  boxes: number;
  skipped: { crowd: number; degenerate: number };
  coverage: CoverageReport;
  suggestion: SuggestionReport | null;
}

/** Checks the options up front (before any file is read); throws AnchorAnalysisError naming the flag. */
function checkedOptions(options: AnchorAnalysisOptions) {
  const checked = checkAnchorFlags(options.anchors);
  const resize: ResizeSettings = { ...DEFAULT_RESIZE, ...options.resize };
  checkResizeSettings(resize);
  return { checked, resize };
}

/** The coverage report of `images` (their annotations in the file's pixels) for one configuration. */
export function analyzeAnchors(images: readonly DatasetImage[], options: AnchorAnalysisOptions = {}, annotationFile = ''): AnchorReport {
  const { checked, resize } = checkedOptions(options);
  const boxes = collectBoxes(images, resize);
  const coverage = coverageReport(boxes, bestIous(boxes, checked.resolved).iou);
  let suggestion: SuggestionReport | null = null;
  if (options.suggest) {
    const s = suggestAnchors(boxes, checked, options.suggest);
    const { flags } = s.checked;
    suggestion = { config: flags, flags: formatAnchorFlags(flags), trainFlags: formatTrainFlags(flags), keptInput: s.keptInput, seed: s.seed, restarts: s.restarts, clusteredBoxes: s.clusteredBoxes, coverage: coverageReport(boxes, s.iou) };
  }
  return {
    annotationFile,
    resize,
    config: checked.flags,
    flags: formatAnchorFlags(checked.flags),
    anchorsPerLocation: checked.resolved.ratios.length * checked.resolved.sizes[0].length,
    images: boxes.images,
    boxes: boxes.count,
    skipped: boxes.skipped,
    coverage,
    suggestion,
  };
}

export interface RunAnchorAnalysisOptions extends AnchorAnalysisOptions {
  /** COCO instances JSON. */
  ann: string;
  /** Images root: when given, every image file must exist (sizes still come from the annotation file). */
  images?: string;
  /** Where to write the report as JSON (atomically). */
  out?: string;
}

/** Reads `ann`, analyses it, writes `out` if asked; returns the report and the loader's warnings. */
export async function runAnchorAnalysis(options: RunAnchorAnalysisOptions): Promise<{ report: AnchorReport; warnings: readonly string[] }> {
  checkedOptions(options);
  const dataset = await loadCocoDataset(options.ann, options.images ?? dirname(resolve(options.ann)), { checkFiles: options.images !== undefined, keepSegmentation: false });
  const report = analyzeAnchors(dataset.images, options, options.ann);
  if (options.out) await writeJsonAtomic(options.out, report);
  return { report, warnings: dataset.warnings };
}

/** Writes `value` as JSON through a temp file in the same folder + rename: readers never see half a file. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  try {
    await mkdir(dirname(resolve(path)), { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
  } catch (err) {
    throw new AnchorAnalysisError(`--out: cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
