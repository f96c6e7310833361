/** retina-train entry point: parse, run, map errors to exit codes (0 ok, 2 user error, 1 bug). */
import { run } from './run';

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
