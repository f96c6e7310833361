/**
 * `retina-eval export --model RUN/model --out DIR`: writes what a web page needs to run the detector
 * — DIR/model.json (tfjs's weightsManifest; the config with classes, anchors, test size, thresholds
 * and normalisation in userDefinedMetadata) and its weight shards, fetched over HTTP — loaded in a
 * page by @retina/retinanet's `loadRetinaNetFromUrl('DIR/model.json')`. The folder is replaced
 * atomically; files on stdout, the summary on stderr.
 */
import { join } from 'node:path';
import { ENGINE_ORDER, selectEngine } from '@retina/engine/node';
import { UserError } from '@retina/errors';
import { exportRetinaNet, type ExportReport } from '@retina/retinanet/node';
import type { Argv, CommandModule, InferredOptionTypes, Options } from 'yargs';
import type { Runner } from './evaluate-command';
import type { CliIo } from './io';

export const exportOptions = {
  model: { type: 'string', demandOption: true, requiresArg: true, describe: 'saved model directory (RUN/model of retina-train)' },
  out: { type: 'string', demandOption: true, requiresArg: true, describe: 'folder to write model.json and the weight shards into (new, empty, or a previous export: it is replaced)' },
  backend: { choices: ENGINE_ORDER, default: 'cpu', describe: 'tensor engine that reads and writes the weights (no computation: cpu starts fastest)' },
} as const satisfies Record<string, Options>;

export type ExportArgs = InferredOptionTypes<typeof exportOptions>;

export const exportExamples: readonly [string, string][] = [
  ['$0 export --model runs/demo/model --out site/model', 'site/model/model.json + weight shards'],
];

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** One line on what a page gets: classes, test size, thresholds, normalisation. */
export function exportSummary(model: string, r: ExportReport): string {
  const c = r.config;
  const classes = (c.categories ?? []).map((k) => k.name).join(', ') || `${c.numClasses} unnamed`;
  const shards = r.files.length - 1;
  return (
    `exported ${model} to ${r.dir} (model.json + ${shards} weight shard${shards === 1 ? '' : 's'}, ${mib(r.bytes)}): ` +
    `${c.numClasses} class${c.numClasses === 1 ? '' : 'es'} (${classes}), test size ${c.testSize.shortSide}/${c.testSize.maxSize} px, ` +
    `P${c.fpn.minLevel}–P${c.fpn.maxLevel} anchors, score ≥ ${c.postprocess.scoreThresh}, NMS IoU ${c.postprocess.nmsIou}, ` +
    `at most ${c.postprocess.maxDetections} per image, normalisation mean [${c.normalization.mean}] std [${c.normalization.std}]`
  );
}

export async function runExport(args: ExportArgs, io: CliIo): Promise<number> {
  const engine = await selectEngine({ backend: args.backend });
  io.err(`retina-eval: ${engine.describe()}`);
  let report: ExportReport;
  try {
    report = await exportRetinaNet(args.model, args.out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') throw new UserError(`${args.out}: cannot write the export (${code}: ${(e as Error).message})`);
    throw e;
  }
  report.files.forEach((f) => io.out(join(args.out, f)));
  io.err(`retina-eval: ${exportSummary(args.model, report)}`);
  return 0;
}

/** The `export` command. */
export function exportCommand(select: (runner: Runner) => void): CommandModule<object, ExportArgs> {
  return {
    command: 'export',
    describe: 'Write a trained model for a web page: model.json (weights manifest + detector config) and weight shards, loaded over HTTP',
    builder: (y: Argv): Argv<ExportArgs> => exportExamples.reduce((argv, [cmd, desc]) => argv.example(cmd, desc), y.options(exportOptions)) as Argv<ExportArgs>,
    handler: (args) => select((io) => runExport(args, io)),
  };
}
