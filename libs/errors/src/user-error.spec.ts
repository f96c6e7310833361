import { ExitCode, UserError, errorReport, isUserError } from './index';

class BadFile extends UserError {}

describe('UserError and errorReport', () => {
  it('a user error (and a subclass) is one line and exit 2, prefixed by the program', () => {
    expect(errorReport('retina-train', new UserError('a.json: image 3: width must be > 0 (got 0)'))).toEqual({
      text: 'retina-train: a.json: image 3: width must be > 0 (got 0)',
      exitCode: ExitCode.UserError,
    });
    const sub = new BadFile('x.json: line one\n  line two');
    expect(sub.name).toBe('BadFile');
    expect(errorReport('error', sub)).toEqual({ text: 'error: x.json: line one line two', exitCode: 2 });
  });

  it('anything else is a bug: exit 1, a request for a report and the stack trace', () => {
    const r = errorReport('retina-eval', new TypeError('boom'));
    expect(r.exitCode).toBe(ExitCode.Bug);
    expect(r.text).toMatch(/^retina-eval: internal error \(please report it\):\nTypeError: boom\n\s+at /);
    expect(errorReport('retina-eval', 'thrown string')).toEqual({ text: 'retina-eval: internal error (please report it):\nthrown string', exitCode: 1 });
  });

  it('the brand decides, not the class identity: a copy of the class from another package version counts; a look-alike exitCode does not', () => {
    const fromAnotherCopy = Object.assign(new Error('m.json: missing'), { userError: true });
    expect(isUserError(fromAnotherCopy)).toBe(true);
    expect(isUserError(Object.assign(new Error('x'), { exitCode: 2 }))).toBe(false);
    expect(isUserError({ userError: true, message: 'not an Error' })).toBe(false);
  });
});
