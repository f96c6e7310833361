export { ExitCode, UserError, errorReport, isUserError, oneLine, type ErrorReport } from './user-error';
