import type { CommandModule } from 'yargs';
import type { CliIo } from './io';
import { validateDataset, formatSummary } from '../validate';

interface Args {
  ann: string;
  images: string;
  strict: boolean;
  decode: boolean;
  'max-pixels'?: number;
}

export function validateCommand(io: CliIo): CommandModule<object, Args> {
  return {
    command: 'validate',
    describe: 'Check a COCO annotation file and its images; prints a summary, or one error line and exits 2',
    builder: (y) =>
      y
        .option('ann', { type: 'string', demandOption: true, describe: 'COCO instances JSON' })
        .option('images', { type: 'string', demandOption: true, describe: 'images root (file_name is relative to it)' })
        .option('strict', { type: 'boolean', default: false, describe: 'reject boxes outside their image instead of clipping' })
        .option('decode', { type: 'boolean', default: false, describe: 'decode every image fully (slower)' })
        .option('max-pixels', { type: 'number', describe: 'refuse images with more pixels (default 89478485)' })
        .example('$0 validate --ann data/raccoon/annotations/instances_val.json --images data/raccoon/images', ''),
    handler: async (a) => {
      const summary = await validateDataset({ ann: a.ann, images: a.images, strict: a.strict, decode: a.decode, maxPixels: a['max-pixels'] });
      summary.warnings.forEach((w: string) => io.stderr(`warning: ${w}\n`));
      io.stdout(formatSummary(summary));
    },
  };
}
