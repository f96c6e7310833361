import { CocoEvalInputError } from '@retina/coco-eval';

/** A mistake of the user's (bad flag, unreadable or invalid file): one line on stderr, exit 2. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Exit statuses of the CLI. */
export const ExitCode = { Ok: 0, Bug: 1, UserError: 2 } as const;

/** Ours, the evaluator's, and every library error that declares itself a user error (exitCode 2). */
export function isUserError(e: unknown): e is Error {
  return e instanceof UserError || e instanceof CocoEvalInputError || (e instanceof Error && (e as { exitCode?: unknown }).exitCode === 2);
}
