/** Errors of the converters: one line naming the input file, the place in it, and the problem. */
import { basename } from 'node:path';
import { CocoError } from '@retina/coco';

export class ConvertError extends CocoError {
  constructor(
    readonly file: string,
    /** Where in the file: "line 12", "object 3", "byte 40"; empty for the whole file. */
    readonly location: string,
    readonly problem: string,
  ) {
    super(`${basename(file)}: ${location ? `${location}: ` : ''}${problem}`);
  }
}
