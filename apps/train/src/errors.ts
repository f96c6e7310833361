/** A mistake the user can fix (bad flag, bad file): printed as one line, exit code 2. */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Training stopped because a loss became NaN/Inf; the last good checkpoint is intact. */
export class NonFiniteLossError extends UserError {
  constructor(step: number, part: string, value: number) {
    super(
      `step ${step}: loss part '${part}' is ${value}; stopped (the last checkpoint is intact). ` +
        'Lower --lr, raise --warmup-iters or set --clip-grad; --skip-nonfinite skips such batches instead.',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** True for errors that carry their own user-facing exit code (ours and the libs' typed errors). */
export function isUserError(e: unknown): e is Error & { exitCode: number } {
  return e instanceof Error && (e as { exitCode?: unknown }).exitCode === 2;
}
