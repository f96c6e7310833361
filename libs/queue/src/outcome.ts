/**
 * What a job hands back: its value, or a user error (an unreadable image, a bad flag in a sweep run).
 * A user error completes the job instead of failing it: retrying cannot fix the input, and the
 * submitter reports it exactly once, naming the worker.
 */
export type JobOutcome<R> =
  | { readonly ok: true; readonly value: R; readonly worker: string }
  | { readonly ok: false; readonly error: string; readonly worker: string };
