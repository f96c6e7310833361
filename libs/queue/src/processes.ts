/**
 * Child processes of a local cluster (workers, submitters), for the tests and benchmarks that start
 * one beside `startRedisServer`: output collected as text, a wait for a line on stderr, and one call
 * that stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A started process and what it has written so far. */
export interface WatchedProcess {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Its exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
}

/** The processes started by one `ProcessGroup`, stopped together. */
export class ProcessGroup {
  readonly started: WatchedProcess[] = [];

  /** Starts `node --import tsx SCRIPT ARGS` in `cwd` (as users run the CLIs from the sources). */
  startTs(cwd: string, script: string, args: readonly string[]): WatchedProcess {
    return this.start(process.execPath, ['--import', 'tsx', script, ...args], cwd);
  }

  /** Starts `command ARGS` in `cwd` with stdout and stderr collected. */
  start(command: string, args: readonly string[], cwd: string): WatchedProcess {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc: WatchedProcess = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
    child.stdout?.on('data', (d) => (proc.stdout += String(d)));
    child.stderr?.on('data', (d) => (proc.stderr += String(d)));
    this.started.push(proc);
    return proc;
  }

  /** SIGKILLs every process still running and waits for all to exit. */
  async killAll(): Promise<void> {
    this.started.forEach((p) => p.child.kill('SIGKILL'));
    await Promise.all(this.started.map((p) => p.exit));
  }
}

/** Resolves once `proc`'s stderr, from offset `from` on, matches `pattern`; rejects if it exits first. */
export function waitForStderr(proc: WatchedProcess, pattern: RegExp, from = 0): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const m = proc.stderr.slice(from).match(pattern);
      if (m) {
        proc.child.stderr?.off('data', check);
        resolve(m);
      }
    };
    proc.child.stderr?.on('data', check);
    void proc.exit.then((code) => reject(new Error(`exited (${code}) before ${pattern}:\n${proc.stderr}`)));
    check();
  });
}
