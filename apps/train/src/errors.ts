import { UserError } from '@retina/errors';

/** Training stopped because a loss became NaN/Inf; the last good checkpoint is intact. */
export class NonFiniteLossError extends UserError {
  constructor(step: number, part: string, value: number) {
    super(
      `step ${step}: loss part '${part}' is ${value}; stopped (the last checkpoint is intact). ` +
        'Lower --lr, raise --warmup-iters or set --clip-grad; --skip-nonfinite skips such batches instead.',
    );
  }
}
