/**
 * Running retina-train and retina-eval as child processes. Tools do not import the apps: their
 * built bin scripts are found through the workspace packages' `bin` fields and run with this Node.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StudyChildError, StudyError } from './errors';

export type StudyCli = 'retina-train' | 'retina-eval';

/** One child process: which CLI, its arguments, and the file that receives its stdout and stderr. */
export interface CliInvocation {
  readonly cli: StudyCli;
  readonly args: readonly string[];
  readonly log: string;
}

/** Runs a CLI to completion; rejects when it fails. Tests pass a fake. */
export type CliRunner = (call: CliInvocation) => Promise<void>;

const PACKAGES: Record<StudyCli, string> = { 'retina-train': '@retina/train-app', 'retina-eval': '@retina/eval-app' };
const USER_ERROR_EXIT = 2;

/**
 * The bin script of `cli`: the first `node_modules/<package>/package.json` above `from`, its `bin`
 * entry; checks that the app is built (its `main`).
 * @throws StudyError when the package is not installed or not built
 */
export function locateCli(cli: StudyCli, from = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', PACKAGES[cli], 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string; bin?: Record<string, string> };
      const bin = pkg.bin?.[cli];
      if (bin === undefined) throw new StudyError(`${manifest}: no bin entry "${cli}"`);
      if (pkg.main !== undefined && !existsSync(join(dirname(manifest), pkg.main))) {
        throw new StudyError(`${cli} is not built (${join(dirname(manifest), pkg.main)} is missing): run \`npm run build\` first`);
      }
      return join(dirname(manifest), bin);
    }
    if (dirname(dir) === dir) throw new StudyError(`${cli} not found: no node_modules/${PACKAGES[cli]} above ${from} (run \`npm ci\`)`);
  }
}

/** The last non-empty line of a process's output. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

/**
 * A runner that spawns `node <bin script> ...args`, writes the output to the log, and rejects with
 * StudyError when the CLI reports a user error (exit 2), StudyChildError on any other failure.
 */
export function spawnCliRunner(from = __dirname): CliRunner {
  return async ({ cli, args, log }) => {
    const script = locateCli(cli, from);
    const out = createWriteStream(log);
    let tail = '';
    const keep = (chunk: Buffer): void => {
      out.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    };
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
      const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.on('error', fail);
      child.on('close', (c, s) => done({ code: c, signal: s }));
    });
    await new Promise<void>((done) => out.end(done));
    if (code === 0) return;
    if (code === USER_ERROR_EXIT) throw new StudyError(`${cli}: ${lastLine(tail)} (full output in ${log})`);
    throw new StudyChildError(cli, signal ? `was killed by ${signal}` : `exited with code ${code}`, log, lastLine(tail));
  };
}
