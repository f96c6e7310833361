/** The queues Retina's CLIs share, and the worker flags both worker commands take. */
import { DEFAULT_TIMING, type WorkerTiming } from './worker';

/** One queue per job kind, so that each worker takes only the jobs it can run. */
export const QUEUES = {
  /** `retina-eval --queue` → `retina-eval worker`: inference on a slice of a COCO split. */
  detect: 'retina-detect',
  /** `retina-tools sweep` → `retina-tools worker`: one whole retina-train run. */
  train: 'retina-train',
} as const;

/** The flags of a worker command (yargs option specs; plain data, so this lib needs no yargs). */
export function workerOptions(group?: string) {
  return {
    queue: { type: 'string', demandOption: true, requiresArg: true, group, describe: 'the Redis of the queue: redis://HOST:PORT[/DB]' },
    concurrency: { type: 'number', default: 1, requiresArg: true, group, describe: 'jobs at once in this process' },
    'lock-duration': { type: 'number', default: DEFAULT_TIMING.lockDuration, requiresArg: true, group, describe: "ms a job's lock lives unrenewed: a killed worker's job runs again elsewhere after about this long" },
    'stalled-interval': { type: 'number', default: DEFAULT_TIMING.stalledInterval, requiresArg: true, group, describe: 'ms between checks for jobs whose worker was lost' },
    'max-stalled': { type: 'number', default: DEFAULT_TIMING.maxStalledCount, requiresArg: true, group, describe: 'times one job may be taken back from a lost worker before it fails' },
  } as const;
}

/** The parsed worker flags. */
export interface WorkerFlags {
  'lock-duration': number;
  'stalled-interval': number;
  'max-stalled': number;
}

/** The timing the flags ask for; undefined-free. */
export function timingOf(flags: WorkerFlags): WorkerTiming {
  return { lockDuration: flags['lock-duration'], stalledInterval: flags['stalled-interval'], maxStalledCount: flags['max-stalled'] };
}
