import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunLog, type EpochRecord, type StepRecord } from './metrics';

const step = (iteration: number): StepRecord => ({ kind: 'step', epoch: 0, iteration, lr: 0.01, loss: 1 / iteration, cls: 0.5, box: 0.5, gradNorm: 1, imagesPerSec: 2, tensors: 10 });
const epoch = (e: number, iteration: number, stats?: number[]): EpochRecord => ({ kind: 'epoch', epoch: e, iteration, loss: 1, cls: 0.5, box: 0.5, seconds: 3, imagesPerSec: 2, stats });

describe('RunLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'retina-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends JSON lines and rewrites results.csv per epoch', () => {
    const log = new RunLog(dir);
    log.append(step(1));
    log.append(step(2));
    log.append(epoch(0, 2, [0.4, 0.7, 0.3, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(log.read()).toHaveLength(3);
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('epoch,iteration,loss,cls,box,seconds,images_per_s,AP,AP50,AP75,val_loss,val_cls,val_box');
    expect(csv[1]).toBe('0,2,1,0.5,0.5,3,2,0.4,0.7,0.3,,,');
  });

  it('ignores a line torn by a crash and truncates to a checkpoint on resume', () => {
    const log = new RunLog(dir);
    [1, 2, 3, 4].forEach((i) => log.append(step(i)));
    appendFileSync(log.jsonlPath, '{"kind":"step","iter');
    expect(log.read()).toHaveLength(4);
    log.truncateAfter(2);
    expect(log.read().map((r) => r.iteration)).toEqual([1, 2]);
  });
});
