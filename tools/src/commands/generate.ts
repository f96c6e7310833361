import type { CommandModule } from 'yargs';
import type { CliIo } from './io';
import { generateDataset } from '../generate/dataset';

interface Args {
  out: string;
  images: number;
  size: number;
  'min-size'?: number;
  seed: number;
  'rare-class-fraction': number;
  classes: number;
  'max-objects': number;
  'val-fraction': number;
  'min-object'?: number;
  'max-object'?: number;
  format: 'png' | 'jpeg';
}

export function generateCommand(io: CliIo): CommandModule<object, Args> {
  return {
    command: 'generate',
    describe: 'Write a deterministic synthetic shapes dataset (images + COCO JSON)',
    builder: (y) =>
      y
        .option('out', { type: 'string', demandOption: true, describe: 'output root (images/, annotations/)' })
        .option('images', { type: 'number', default: 200, describe: 'number of images (train + val)' })
        .option('size', { type: 'number', default: 256, describe: 'largest image side' })
        .option('min-size', { type: 'number', describe: 'smallest image side (default: --size, i.e. square)' })
        .option('seed', { type: 'number', default: 0 })
        .option('rare-class-fraction', { type: 'number', default: 0.02, describe: 'fraction of objects of the last class' })
        .option('classes', { type: 'number', default: 5, describe: 'number of shape classes (2..5)' })
        .option('max-objects', { type: 'number', default: 6, describe: 'objects per image: 1..N' })
        .option('val-fraction', { type: 'number', default: 0.2 })
        .option('min-object', { type: 'number', describe: 'smallest object side in px (default 8)' })
        .option('max-object', { type: 'number', describe: 'largest object side in px (default and cap: 0.6 × the shorter image side)' })
        .option('format', { choices: ['png', 'jpeg'] as const, default: 'png' as const })
        .example('$0 generate --out /tmp/shapes --images 500 --size 256 --seed 1 --rare-class-fraction 0.02', ''),
    handler: async (a) => {
      const s = await generateDataset({
        out: a.out,
        images: a.images,
        size: a.size,
        minSize: a['min-size'],
        seed: a.seed,
        rareClassFraction: a['rare-class-fraction'],
        classes: a.classes,
        maxObjects: a['max-objects'],
        valFraction: a['val-fraction'],
        minObject: a['min-object'],
        maxObject: a['max-object'],
        format: a.format,
      });
      io.stdout(`wrote ${a.out}: train ${s.train.images} images / ${s.train.annotations} boxes, val ${s.val.images} / ${s.val.annotations}\n`);
      io.stdout(`objects per class: ${Object.entries(s.perClass).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    },
  };
}
