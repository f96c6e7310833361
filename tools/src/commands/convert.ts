import type { CommandModule } from 'yargs';
import type { CliIo } from './io';
import { convertCsv } from '../convert/from-csv';
import { convertVoc, type ConvertSummary } from '../convert/from-voc';

interface VocArgs {
  xml: string;
  out: string;
  images?: string;
  classes?: string;
  difficult: 'ignore' | 'drop' | 'keep';
}

interface CsvArgs {
  csv: string;
  out: string;
  images?: string;
  classes?: string;
}

const classesOption = { type: 'string', describe: 'comma-separated class names in id order (default: sorted names found)' } as const;

function report(io: CliIo, out: string, s: ConvertSummary): void {
  io.stdout(`wrote ${out}: ${s.images} images, ${s.annotations} annotations, ${s.categories.length} categories (${s.categories.join(', ')})\n`);
}

function splitClasses(list: string | undefined): string[] | undefined {
  return list?.split(',').map((c) => c.trim()).filter(Boolean);
}

export function convertVocCommand(io: CliIo): CommandModule<object, VocArgs> {
  return {
    command: 'convert-voc',
    describe: 'Convert Pascal VOC XML files to one COCO instances JSON',
    builder: (y) =>
      y
        .option('xml', { type: 'string', demandOption: true, describe: 'directory of VOC .xml files' })
        .option('out', { type: 'string', demandOption: true, describe: 'COCO JSON to write' })
        .option('images', { type: 'string', describe: 'images directory (checks sizes, reads missing ones)' })
        .option('classes', classesOption)
        .option('difficult', { choices: ['ignore', 'drop', 'keep'] as const, default: 'ignore' as const, describe: 'difficult objects become crowd/ignore regions, are dropped, or kept' })
        .example('$0 convert-voc --xml VOC2007/Annotations --images VOC2007/JPEGImages --out voc07.json', ''),
    handler: async (a) => {
      report(io, a.out, await convertVoc({ xmlDir: a.xml, out: a.out, images: a.images, classes: splitClasses(a.classes), difficult: a.difficult }));
    },
  };
}

export function convertCsvCommand(io: CliIo): CommandModule<object, CsvArgs> {
  return {
    command: 'convert-csv',
    describe: 'Convert a path,x1,y1,x2,y2,class CSV file to a COCO instances JSON',
    builder: (y) =>
      y
        .option('csv', { type: 'string', demandOption: true })
        .option('out', { type: 'string', demandOption: true, describe: 'COCO JSON to write' })
        .option('images', { type: 'string', describe: 'root the image paths are relative to (default: the CSV folder)' })
        .option('classes', classesOption)
        .example('$0 convert-csv --csv boxes.csv --images photos --out boxes.json', ''),
    handler: async (a) => {
      report(io, a.out, await convertCsv({ csv: a.csv, out: a.out, images: a.images, classes: splitClasses(a.classes) }));
    },
  };
}
