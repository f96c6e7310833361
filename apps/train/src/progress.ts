/**
 * What the user sees while training: a progress bar per epoch (cli-progress) with the loss parts,
 * learning rate, images/s and ETA; or plain epoch lines (--quiet); or JSON lines (--json-log).
 *
 * Streams, as in every Retina CLI: the log (lines, bar) goes to stderr; stdout carries data only —
 * with --json-log the log itself, as one JSON object per line, each with a `kind`.
 */
import { SingleBar, Presets } from 'cli-progress';
import { writeStdout } from '@retina/engine/node';

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

  /** @param out where lines go (default: JSON lines to stdout, text lines to stderr) */
  constructor(
    readonly mode: OutputMode,
    private readonly out: (line: string) => void = mode === 'json' ? (l) => writeStdout(l + '\n') : (l) => process.stderr.write(l + '\n'),
  ) {}

  /** A line of information (engine, data, epoch summary). In JSON mode: {"kind":"info","message":…}. */
  info(message: string): void {
    this.stopBar();
    if (this.mode === 'json') this.out(JSON.stringify({ kind: 'info', message }));
    else this.out(message);
  }

  /** A warning (skipped or damaged image). In JSON mode: {"kind":"warning","message":…}. */
  warn(message: string): void {
    this.stopBar();
    if (this.mode === 'json') this.out(JSON.stringify({ kind: 'warning', message }));
    else this.out(`warning: ${message}`);
  }

  /** A record with its own `kind` (step, epoch, done): written in JSON mode only. */
  record(record: { kind: string }): void {
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
