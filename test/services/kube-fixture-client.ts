/**
 * The parent's side of kube-fixture-process.ts: starts the child, waits for its ready line and
 * wraps the control API in typed calls.
 *
 *   const fx = await startKubeFixtureProcess({ clusters: [{ name: 'prod' }, { name: 'staging' }] });
 *   await fx.cluster('prod').bulkPut(apps);           // thousands of objects in one request
 *   const kc = new KubeConfig(); kc.loadFromFile(fx.kubeconfigPath);
 *   expect(countOf(await fx.cluster('prod').counts(), 'list', 'applications.argoproj.io')).toBe(1);
 *   await fx.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CountFilter, KubeRequestCounts, KubeRequestRecord } from './kube-accounting.ts';
import type { KubeFixtureFault, KubeFixtureReady, KubeFixtureSpec } from './kube-fixture-protocol.ts';
import type { KubeObject } from './kube-objects.ts';

export type { KubeFixtureFault, KubeFixtureSpec } from './kube-fixture-protocol.ts';

const SCRIPT = fileURLToPath(new URL('./kube-fixture-process.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface KubeFixtureCluster {
  readonly name: string;
  readonly url: string;
  readonly token: string | null;
  readonly namespace: string;
  /** A kubeconfig with only this cluster. */
  readonly kubeconfigPath: string;
  /** Creates or replaces the objects (no preconditions, events emitted), in one request. */
  bulkPut(objects: readonly KubeObject[]): Promise<{ count: number; resourceVersion: string }>;
  list(apiVersion: string, plural: string, namespace?: string): Promise<KubeObject[]>;
  /** Deletes the objects named (apiVersion, kind, metadata.namespace/name); returns how many existed. */
  remove(objects: readonly KubeObject[]): Promise<number>;
  counts(filter?: CountFilter): Promise<KubeRequestCounts>;
  requests(): Promise<KubeRequestRecord[]>;
  resetCounts(): Promise<void>;
  fault(fault: KubeFixtureFault): Promise<void>;
}

export interface KubeFixtureProcess {
  readonly pid: number;
  /** Base URL of the control API. */
  readonly control: string;
  /** A kubeconfig with one context per cluster. */
  readonly kubeconfigPath: string;
  /** The first cluster's URL. */
  readonly url: string;
  readonly clusters: readonly KubeFixtureCluster[];
  cluster(name: string): KubeFixtureCluster;
  /** bulkPut on the first cluster. */
  bulkPut(objects: readonly KubeObject[]): Promise<{ count: number; resourceVersion: string }>;
  /** Request counts of every cluster, by name. */
  counts(filter?: CountFilter): Promise<Record<string, KubeRequestCounts>>;
  resetCounts(): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

async function call<T>(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(`fixture control ${method} ${path}: HTTP ${res.status}: ${parsed.error ?? ''}`);
  return parsed;
}

function waitForReady(child: ChildProcess, timeoutMs: number, stderrTail: () => string): Promise<KubeFixtureReady> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const done = () => {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const fail = (why: string) => {
      done();
      lines.close();
      child.kill('SIGKILL');
      // Give stderr a moment to arrive before quoting it.
      setTimeout(() => reject(new Error(`kube fixture process ${why}:\n${stderrTail()}`)), 50);
    };
    const onExit = (code: number | null, signal: string | null) =>
      fail(`exited (${code ?? signal}) before it was ready`);
    const onError = (e: Error) => fail(`failed to start: ${e.message}`);
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    child.on('exit', onExit);
    child.on('error', onError);
    lines.on('line', (line) => {
      let msg: Partial<KubeFixtureReady>;
      try {
        msg = JSON.parse(line) as Partial<KubeFixtureReady>;
      } catch {
        return;
      }
      if (msg.ready !== true) return;
      done();
      resolve(msg as KubeFixtureReady);
    });
  });
}

/** Starts kube-fixture-process.ts with `spec` and resolves once its servers listen. */
export async function startKubeFixtureProcess(
  spec: KubeFixtureSpec,
  options: { timeoutMs?: number } = {},
): Promise<KubeFixtureProcess> {
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SCRIPT, JSON.stringify({ ...spec, exitOnStdinEnd: true })],
    {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  const ready = await waitForReady(child, options.timeoutMs ?? 30_000, () => stderr);
  const base = ready.control;
  const q = (params: Record<string, string | number | undefined>) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
    return s.toString();
  };

  const clusters: KubeFixtureCluster[] = ready.clusters.map((c) => ({
    name: c.name,
    url: c.url,
    token: c.token,
    namespace: c.namespace,
    kubeconfigPath: c.kubeconfig,
    bulkPut: (objects) => call(base, 'POST', '/objects', { cluster: c.name, objects }),
    list: async (apiVersion, plural, namespace) =>
      (
        await call<{ items: KubeObject[] }>(
          base,
          'GET',
          `/objects?${q({ cluster: c.name, apiVersion, plural, namespace })}`,
        )
      ).items,
    remove: async (objects) =>
      (await call<{ count: number }>(base, 'POST', '/objects/delete', { cluster: c.name, objects })).count,
    counts: async (filter = {}) =>
      (
        await call<{ clusters: Record<string, KubeRequestCounts> }>(
          base,
          'GET',
          `/counts?${q({ cluster: c.name, since: filter.since })}`,
        )
      ).clusters[c.name]!,
    requests: async () =>
      (await call<{ requests: KubeRequestRecord[] }>(base, 'GET', `/requests?${q({ cluster: c.name })}`)).requests,
    resetCounts: async () => void (await call(base, 'POST', '/reset-counts', { cluster: c.name })),
    fault: async (fault) => void (await call(base, 'POST', '/fault', { cluster: c.name, fault })),
  }));

  return {
    pid: ready.pid,
    control: base,
    kubeconfigPath: ready.kubeconfig,
    url: clusters[0]!.url,
    clusters,
    cluster(name) {
      const c = clusters.find((x) => x.name === name);
      if (!c) throw new Error(`no cluster named "${name}"`);
      return c;
    },
    bulkPut: (objects) => clusters[0]!.bulkPut(objects),
    counts: async (filter = {}) =>
      (
        await call<{ clusters: Record<string, KubeRequestCounts> }>(
          base,
          'GET',
          `/counts?${q({ since: filter.since })}`,
        )
      ).clusters,
    resetCounts: async () => void (await call(base, 'POST', '/reset-counts', {})),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
