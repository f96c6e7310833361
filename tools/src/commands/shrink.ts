import type { CommandModule } from 'yargs';
import type { CliIo } from './io';
import { shrinkDataset } from '../shrink-dataset';

interface Args {
  src: string;
  out: string;
  'max-side': number;
  quality: number;
}

export function shrinkCommand(io: CliIo): CommandModule<object, Args> {
  return {
    command: 'shrink',
    describe: 'Downscale a COCO dataset (annotations/*.json + images/) so the longer side is at most --max-side',
    builder: (y) =>
      y
        .option('src', { type: 'string', demandOption: true, describe: 'dataset root with annotations/ and images/' })
        .option('out', { type: 'string', demandOption: true })
        .option('max-side', { type: 'number', default: 384 })
        .option('quality', { type: 'number', default: 85, describe: 'JPEG quality' })
        .example('$0 shrink --src /work/shared/data/raccoon --out data/raccoon --max-side 384 --quality 85', ''),
    handler: async (a) => {
      const s = await shrinkDataset({ src: a.src, out: a.out, maxSide: a['max-side'], quality: a.quality });
      io.stdout(`wrote ${a.out}: ${s.images} images (${s.resized} resized), ${s.files.join(', ')}\n`);
    },
  };
}
