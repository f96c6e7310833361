import { CocoError } from '@retina/coco';

/** A study that cannot run as asked (bad option, unbuilt CLI, unreadable result): exit 2, one line. */
export class StudyError extends CocoError {}

/**
 * A spawned CLI that failed for a reason other than a user error (exit 1, a signal): a bug,
 * reported with the exit status, the last line it printed and the log that holds the rest.
 */
export class StudyChildError extends Error {
  constructor(
    readonly cli: string,
    readonly status: string,
    readonly log: string,
    lastLine: string,
  ) {
    super(`${cli} ${status}: ${lastLine || '(no output)'} — full output in ${log}`);
    this.name = 'StudyChildError';
  }
}
