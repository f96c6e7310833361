import { CocoEvalInputError } from '@retina/coco-eval';
import { RetinaNetConfigError, RetinaNetModelError } from '@retina/retinanet';

/** A mistake of the user's (bad flag, unreadable or invalid file): one line on stderr, exit 2. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit statuses of the CLI. */
export const ExitCode = { Ok: 0, Bug: 1, UserError: 2 } as const;

/**
 * Ours, the evaluator's, a saved model that is not a usable RetinaNet (the user named the directory),
 * and every library error that declares itself a user error (exitCode 2).
 */
export function isUserError(e: unknown): e is Error {
  return (
    e instanceof UserError ||
    e instanceof CocoEvalInputError ||
    e instanceof RetinaNetModelError ||
    e instanceof RetinaNetConfigError ||
    (e instanceof Error && (e as { exitCode?: unknown }).exitCode === 2)
  );
}
