/**
 * Fault points, a testing aid: a named place in a handler where the process can be made to die
 * the hard way (SIGKILL: no finally blocks, no lock release, no log flush), so crash tests prove
 * that a job resumed by another process loses and duplicates nothing. The environment variable
 * `TAGFLOW_FAULT_POINTS` (comma-separated names) arms them; it is read once, when this module is
 * loaded. Unset, a fault point is one boolean test.
 */
import { writeSync } from 'node:fs';

/** The fault points the handlers call; a test names them in TAGFLOW_FAULT_POINTS. */
export type FaultPointName = 'git.before-commit' | 'git.after-commit' | 'git.after-push' | 'git.before-ack';

const armed = new Set(
  (process.env.TAGFLOW_FAULT_POINTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const any = armed.size > 0;

/** Kills this process with SIGKILL when `name` is armed; does nothing otherwise. */
export function faultPoint(name: FaultPointName): void {
  if (!any || !armed.has(name)) return;
  // written synchronously: a crash test tells a fault point's kill from any other death by this line
  writeSync(2, `tagflow: fault point ${name} reached, killing process ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
