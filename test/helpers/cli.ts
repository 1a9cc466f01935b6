import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TAGFLOW_BIN = fileURLToPath(new URL('../../bin/tagflow.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `tagflow` command as a user would, in a child process. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TAGFLOW_BIN, ...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface TagflowProcess {
  readonly pid: number;
  /** Every JSON log line so far (non-JSON lines are kept as `{ raw }`). */
  logs(): Record<string, any>[];
  /** Resolves with the first log line (after `from`, an index into logs()) matching `test`. */
  waitForLog(test: (l: Record<string, any>) => boolean, timeoutMs: number, from?: number): Promise<Record<string, any>>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  readonly exited: Promise<number | null>;
  /** The exit code (or -1 for a signal) once exited, else null. */
  exitCode(): number | null;
}

/** Starts a long-running `tagflow` (JSON logs) in a child process, as a Deployment would. */
export function spawnTagflow(
  args: string[],
  env: Record<string, string | undefined> = {},
  nodeArgs: string[] = [],
): TagflowProcess {
  const child = spawn(process.execPath, [...nodeArgs, TAGFLOW_BIN, ...args, '--logformat', 'json'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, any>[] = [];
  let partial = '';
  const waiters = new Set<() => void>();
  const take = (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(p) as Record<string, any>);
      } catch {
        lines.push({ raw: p });
      }
    }
    for (const w of waiters) w();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    pid: child.pid!,
    logs: () => lines,
    waitForLog(test, timeoutMs, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.slice(from).find(test);
          if (!hit) return;
          cleanup();
          resolve(hit);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no matching log line within ${timeoutMs} ms (pid ${child.pid}); last lines:\n${lines
                .slice(-15)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
  };
}
