import type { CommandModule } from 'yargs';
import type { CliIo } from './io';
import { runAnchorAnalysis } from '../anchors/analysis';
import { DEFAULT_RESIZE } from '../anchors/boxes';
import { DEFAULT_ANCHOR_FLAGS } from '../anchors/config-flags';
import { formatAnchorReport } from '../anchors/report';

interface Args {
  ann: string;
  images?: string;
  sizes?: number[];
  scales?: number[];
  ratios?: number[];
  strides?: number[];
  offset?: number;
  'image-size': number;
  'max-size': number;
  out?: string;
  suggest: boolean;
  seed: number;
}

const list = (values: readonly number[]) => values.map((v) => Number(v.toPrecision(4))).join(' ');

/** `anchors`: how well an anchor config covers a dataset's boxes, and optionally a better one. */
export function anchorsCommand(io: CliIo): CommandModule<object, Args> {
  return {
    command: 'anchors',
    describe: "Anchor coverage of a COCO dataset's boxes (best IoU per box on the training anchor grid); --suggest fits a better config",
    builder: (y) =>
      y
        .option('ann', { type: 'string', demandOption: true, describe: 'COCO instances JSON (image sizes come from it; nothing is decoded)' })
        .option('images', { type: 'string', describe: 'images root: when given, every image file must exist' })
        .option('sizes', { type: 'number', array: true, describe: `base anchor size per level (default ${list(DEFAULT_ANCHOR_FLAGS.sizes)}, or 4 × stride)` })
        .option('scales', { type: 'number', array: true, describe: `multipliers of every base size (default ${list(DEFAULT_ANCHOR_FLAGS.scales)})` })
        .option('ratios', { type: 'number', array: true, describe: `aspect ratios h/w (default ${list(DEFAULT_ANCHOR_FLAGS.ratios)})` })
        .option('strides', { type: 'number', array: true, describe: `stride per level, powers of two (default ${list(DEFAULT_ANCHOR_FLAGS.strides)})` })
        .option('offset', { type: 'number', describe: 'anchor centres at stride × (i + offset) (default 0)' })
        .option('image-size', { type: 'number', default: DEFAULT_RESIZE.imageSize, describe: 'shorter side after resizing' })
        .option('max-size', { type: 'number', default: DEFAULT_RESIZE.maxSize, describe: 'cap on the longer side after resizing' })
        .option('out', { type: 'string', describe: 'write the full report (every unmatched box) as JSON' })
        .option('suggest', { type: 'boolean', default: false, describe: 'fit sizes/scales/ratios by k-means on 1 − IoU and show coverage before → after' })
        .option('seed', { type: 'number', default: 0, describe: 'seed of --suggest' })
        .example('$0 anchors --ann data/raccoon/annotations/instances_train.json --suggest --out runs/anchors.json', '')
        .example('$0 anchors --ann instances_val2017.json --sizes 16 32 64 128 256 --ratios 0.5 1 2', ''),
    handler: async (a) => {
      const { report, warnings } = await runAnchorAnalysis({
        ann: a.ann,
        images: a.images,
        out: a.out,
        anchors: { sizes: a.sizes, scales: a.scales, ratios: a.ratios, strides: a.strides, offset: a.offset },
        resize: { imageSize: a['image-size'], maxSize: a['max-size'] },
        suggest: a.suggest ? { seed: a.seed } : false,
      });
      warnings.forEach((w) => io.stderr(`warning: ${w}\n`));
      io.stdout(formatAnchorReport(report));
      if (a.out) io.stdout(`\nwrote ${a.out}\n`);
    },
  };
}
