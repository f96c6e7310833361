/**
 * Piscina worker for bench/coco.bench.ts: decode + resize (sharp) + horizontal flip of one image in
 * a worker thread, returning the RGB pixels (task.width × task.height) by transfer. Used only to compare against the loader's
 * in-process concurrent sharp calls.
 */
import Piscina from 'piscina';
import { decodeImage, hflipImage } from '@retina/coco';

export interface DecodeTask {
  path: string;
  width: number;
  height: number;
  flip: boolean;
}

export default async function decode(task: DecodeTask): Promise<unknown> {
  const decoded = await decodeImage(task.path, { resize: { width: task.width, height: task.height } });
  // sharp's output memory cannot be transferred between threads; a flip makes a new array anyway.
  const image = task.flip ? hflipImage(decoded) : { ...decoded, data: new Uint8Array(decoded.data) };
  return Piscina.move(image.data);
}
