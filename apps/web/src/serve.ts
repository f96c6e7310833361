/**
 * `npm run web -- --model runs/demo/model`: builds the page (build.ts), exports the model into it and
 * serves it on localhost (server.ts), printing the URL; Ctrl-C stops it. Works offline. With
 * `--build-only` it builds and exits (`--json`: the build report on stdout). Exit status as every
 * Retina CLI: 2 and one line for a user error, 1 for a bug.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { selectEngine } from '@retina/engine/node';
import { errorReport, ExitCode, UserError } from '@retina/errors';
import { buildSite, DEFAULT_SAMPLES, type SiteReport } from './build';
import { serveDir, type StaticServer } from './server';
import { MODEL_URL } from './site-layout';

export const SCRIPT_NAME = 'retina-web';

const kib = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

/** The parsed flags, or the text of `--help`. */
export async function parseArgs(argv: readonly string[]) {
  let help = '';
  const args = await yargs()
    .scriptName('npm run web --')
    .options({
      model: { type: 'string', requiresArg: true, describe: 'saved model directory (RUN/model of retina-train), exported into OUT/model' },
      out: { type: 'string', default: 'runs/web', requiresArg: true, describe: 'folder the site is built in' },
      port: { type: 'number', default: 8080, requiresArg: true, describe: 'port to serve on (0: any free port)' },
      host: { type: 'string', default: '127.0.0.1', requiresArg: true, describe: 'address to serve on' },
      samples: { type: 'string', array: true, describe: 'images the page runs first (default: four photos of data/raccoon)' },
      'build-only': { type: 'boolean', default: false, describe: 'build (and export) only; do not serve' },
      json: { type: 'boolean', default: false, describe: 'with --build-only: the build report as JSON on stdout' },
    })
    .example('$0 --model runs/demo/model', 'build, export and serve on http://127.0.0.1:8080/')
    .strict()
    .help()
    .version(false)
    .wrap(100)
    .exitProcess(false)
    .fail((message, error) => {
      throw new UserError((message || error.message).replace(/\s*\n\s*/g, ' '));
    })
    .parseAsync([...argv], {}, (_error, _args, text) => {
      help = text;
    });
  return { args, help };
}

function describeBuild(r: SiteReport): string[] {
  const lines = [`${SCRIPT_NAME}: built ${r.outDir}: app.js ${kib(r.bundle.bytes)} minified (${kib(r.bundle.tfjsBytes)} of it tfjs), ${kib(r.bundle.gzip)} gzipped, in ${r.bundle.ms} ms`];
  if (r.model) lines.push(`${SCRIPT_NAME}: exported the model to ${r.model.dir} (${r.model.files.length - 1} weight shard(s), ${kib(r.model.bytes)})`);
  return lines;
}

/** Runs the command; resolves to the exit status, or (serving) to a server that runs until closed. */
export async function main(argv: readonly string[], io = { out: (l: string) => console.log(l), err: (l: string) => console.error(l) }): Promise<{ code: number; server?: StaticServer }> {
  try {
    const { args, help } = await parseArgs(argv);
    if (help) {
      io.out(help);
      return { code: ExitCode.Ok };
    }
    if (args.model !== undefined) io.err(`${SCRIPT_NAME}: ${(await selectEngine({ backend: 'cpu' })).describe()} (to export the model)`);
    const report = await buildSite({ outDir: args.out, model: args.model, samples: args.samples ?? DEFAULT_SAMPLES });
    describeBuild(report).forEach(io.err);
    if (args['build-only']) {
      if (args.json) io.out(JSON.stringify(report));
      return { code: ExitCode.Ok };
    }
    if (!existsSync(join(args.out, MODEL_URL))) throw new UserError(`${join(args.out, MODEL_URL)}: no model to serve; give --model RUN/model (or export one there with retina-eval export)`);
    let server: StaticServer;
    try {
      server = await serveDir(args.out, { host: args.host, port: args.port });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UserError(`cannot serve on ${args.host}:${args.port} (${code}); give another --port or --host`);
      throw e;
    }
    io.err(`${SCRIPT_NAME}: serving ${args.out} (Ctrl-C stops); open`);
    io.out(server.url);
    return { code: ExitCode.Ok, server };
  } catch (e) {
    const { text, exitCode } = errorReport(SCRIPT_NAME, e);
    io.err(text);
    return { code: exitCode };
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(({ code, server }) => {
    if (server) process.once('SIGINT', () => void server.close().then(() => process.exit(0)));
    else process.exitCode = code;
  });
}
