/**
 * Runs test API servers in a process of their own, so a benchmark measures tagflow and not the
 * fixtures sharing its event loop:
 *
 *   node --import tsx test/services/kube-fixture-process.ts '{"clusters":[{"name":"a"},{"name":"b"}]}'
 *   echo '{"clusters":[{"name":"a"}]}' | node --import tsx test/services/kube-fixture-process.ts
 *
 * Starts one server per cluster of the spec (see KubeFixtureSpec), writes the kubeconfig files,
 * prints ONE JSON line (KubeFixtureReady) on stdout and serves the control API
 * (kube-fixture-control.ts) until SIGTERM/SIGINT, POST /shutdown, or, with `exitOnStdinEnd`, the
 * end of stdin. From a test, use startKubeFixtureProcess() in kube-fixture-client.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeClusters } from './kube-clusters.ts';
import { startFixtureControl } from './kube-fixture-control.ts';
import { KubeFixtureSpec, type KubeFixtureReady } from './kube-fixture-protocol.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const fromArgv = process.argv[2];
  const raw = fromArgv ?? (await readStdin());
  const spec = KubeFixtureSpec.parse(JSON.parse(raw));
  const fleet = await startKubeClusters(spec.clusters);
  const ownDir = spec.kubeconfigDir === undefined;
  const dir = spec.kubeconfigDir ?? (await mkdtemp(join(tmpdir(), 'kube-fixture-')));
  const kubeconfig = await fleet.writeKubeconfig(dir, { currentContext: spec.currentContext });
  const perCluster = await fleet.writeKubeconfigs(dir);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await control.close();
    await fleet.close();
    if (ownDir) await rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  const control = await startFixtureControl(fleet, () => void shutdown(), spec.controlPort);
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  if (spec.exitOnStdinEnd && fromArgv !== undefined) {
    process.stdin.on('end', () => void shutdown());
    process.stdin.on('error', () => void shutdown());
    process.stdin.resume();
  }

  const ready: KubeFixtureReady = {
    ready: true,
    pid: process.pid,
    control: control.url,
    kubeconfig,
    clusters: fleet.clusters.map((c) => ({
      name: c.name,
      url: c.url,
      token: c.token,
      namespace: c.namespace,
      kubeconfig: perCluster[c.name]!,
    })),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`kube-fixture-process: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
