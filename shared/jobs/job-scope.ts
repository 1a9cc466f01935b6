/**
 * The job a piece of code runs for, without passing it down every call: the worker runner runs
 * each handler inside its job's scope, so an adapter deep below (the registry budget) can tell
 * which job is asking and let a job step aside instead of holding a worker slot.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface JobScope {
  jobId: string;
  queue: string;
}

const storage = new AsyncLocalStorage<JobScope>();

export function runInJobScope<T>(scope: JobScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The job the caller runs for; undefined outside any job (the CLI, the scheduler's own work). */
export function currentJob(): JobScope | undefined {
  return storage.getStore();
}
