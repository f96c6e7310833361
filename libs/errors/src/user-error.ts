/**
 * The one marker of a user's mistake: every Retina package throws its user-facing errors (a bad flag,
 * option or input file, a model directory that does not fit) as subclasses of `UserError`, and every
 * CLI turns an error into what it prints and its exit status with `errorReport`.
 */

/** Exit statuses of every Retina CLI. */
export const ExitCode = { Ok: 0, Bug: 1, UserError: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A mistake the user can fix. The message is one line that names the file, record and field (or the
 * flag or option) and what is wrong: `instances_val.json: annotation 1234: bbox width must be > 0 (got -3)`.
 * Subclass it for a package's own kinds (`class CocoError extends UserError {}`).
 */
export class UserError extends Error {
  /**
   * The brand `isUserError` checks. A property rather than `instanceof`, so that an error from another
   * copy of this package (two versions installed side by side) still counts.
   */
  readonly userError = true as const;
  /** What a CLI exits with. */
  readonly exitCode = ExitCode.UserError;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** True for a `UserError` (of any copy of this package); false for everything else, bugs included. */
export function isUserError(e: unknown): e is UserError {
  return e instanceof Error && (e as Partial<UserError>).userError === true;
}

/** What a CLI prints on stderr for an error, and the status it exits with. */
export interface ErrorReport {
  /** One line for a user error; for a bug, a line asking for a report, then the stack trace. */
  readonly text: string;
  readonly exitCode: typeof ExitCode.UserError | typeof ExitCode.Bug;
}

/** `text` on one line: line breaks and the blanks around them become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/**
 * The CLIs' one rule: a user error → `<prefix>: <message>` on one line, exit 2; anything else is a bug
 * → `<prefix>: internal error (please report it):` and the stack trace, exit 1.
 * @param prefix what starts the line: the program's name (`retina-train`), or `error` (retina-tools)
 */
export function errorReport(prefix: string, e: unknown): ErrorReport {
  if (isUserError(e)) return { text: `${prefix}: ${oneLine(e.message)}`, exitCode: ExitCode.UserError };
  const detail = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return { text: `${prefix}: internal error (please report it):\n${detail}`, exitCode: ExitCode.Bug };
}
