/**
 * Process plumbing for test services: free ports, readiness polling, and children that are always
 * killed (on stop, and on process exit as a last resort).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A port that was free a moment ago (bind 127.0.0.1:0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface ManagedProcess {
  child: ChildProcess;
  logFile: string;
  /** Last lines of the log, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** Spawns `command args` with stdout+stderr appended to `logFile`. */
export function spawnLogged(command: string, args: string[], logFile: string): ManagedProcess {
  installExitHook();
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  exited.then(() => live.delete(child));
  return {
    child,
    logFile,
    logTail(lines = 20) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Resolves with the HTTP status of `GET url` (certificates not verified: this is only a liveness probe). */
function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fn = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = fn(url, { method: 'GET', rejectUnauthorized: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('probe timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Waits until `url` answers any HTTP status, failing early if the process dies. */
export async function waitForHttp(url: string, proc: ManagedProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(
        `${proc.child.spawnfile} exited (${proc.child.exitCode ?? proc.child.signalCode}) before ${url} answered:\n${proc.logTail()}`,
      );
    }
    try {
      await probe(url);
      return;
    } catch {
      if (Date.now() > deadline) {
        await proc.stop();
        throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${proc.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
