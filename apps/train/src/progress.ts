/**
 * What the user sees while training: a progress bar per epoch (cli-progress) with the loss parts,
 * learning rate, images/s and ETA; or plain epoch lines (--quiet); or JSON lines (--json-log).
 */
import { SingleBar, Presets } from 'cli-progress';
import { writeStdout } from '@retina/engine';

export type OutputMode = 'bar' | 'quiet' | 'json';

export interface StepView {
  loss: number;
  cls: number;
  box: number;
  lr: number;
  imagesPerSec: number;
}

export class Reporter {
  private bar: SingleBar | undefined;

  constructor(
    readonly mode: OutputMode,
    private readonly out: (line: string) => void = (l) => writeStdout(l + '\n'),
  ) {}

  /** A line of information (engine, data, summary). In JSON mode it becomes {"event":"info"}. */
  info(message: string): void {
    this.stopBar();
    if (this.mode === 'json') this.out(JSON.stringify({ event: 'info', message }));
    else this.out(message);
  }

  record(record: object): void {
    if (this.mode === 'json') this.out(JSON.stringify(record));
  }

  /** @param epochsText '/12' when the epoch count is known, '' when the time budget decides */
  startEpoch(epoch: number, epochsText: string, batches: number, startAt = 0): void {
    if (this.mode !== 'bar' || !process.stderr.isTTY) return;
    this.bar = new SingleBar(
      {
        format: `epoch ${epoch + 1}${epochsText} {bar} {value}/{total} | loss {loss} (cls {cls} box {box}) | lr {lr} | {ips} img/s | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    this.bar.start(batches, startAt, { loss: '-', cls: '-', box: '-', lr: '-', ips: '-' });
  }

  step(done: number, v: StepView): void {
    this.bar?.update(done, {
      loss: v.loss.toFixed(4),
      cls: v.cls.toFixed(4),
      box: v.box.toFixed(4),
      lr: v.lr.toExponential(2),
      ips: v.imagesPerSec.toFixed(2),
    });
  }

  stopBar(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
