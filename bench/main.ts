/**
 * `npm run bench`: one tagflow cycle over a fleet on real local services, timed against a bare
 * tags/list sweep of the same registry in the same run (machines here are shared and noisy, so
 * ratios are what to compare). Prints a table and writes bench/results/<time>.json.
 */
import { writeFile } from 'node:fs/promises';
import { startRoles } from '../apps/cli/roles.ts';
import { createServices } from '../apps/cli/services.ts';
import { loadConfig } from '../shared/config/load-config.ts';
import { silentLogger } from '../shared/logging/logger.ts';
import { dropPrefix } from '../test/helpers/pipeline.ts';
import { bareSweep, startFleet } from './fleet.ts';
import { benchSelection } from './selection.ts';

const SCALES = (process.env.BENCH_SCALES ?? '100x10x40,1000x40x60')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number])
  .map(([apps, repos, tags]) => ({ apps, repos, tags }));
const CONCURRENCY = 8;

interface Row {
  scale: string;
  baselineMs: number;
  firstCycleMs: number;
  steadyCycleMs: number;
  ratioFirst: number;
  ratioSteady: number;
  tagListRequests: number;
  registryRequestsPerApp: number;
  heapMb: number;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const out = await fn();
  return [out, performance.now() - start];
}

async function benchScale(scale: { apps: number; repos: number; tags: number }): Promise<Row> {
  const fleet = await startFleet(scale);
  const prefix = `tagflow-bench-${Date.now()}`;
  const config = loadConfig(
    { kubeconfig: [fleet.kubeconfigPath], once: true, dryRun: true, roles: 'scheduler,registry,select,patch,git' },
    { TAGFLOW_PREFIX: prefix, TAGFLOW_CONCURRENCY: `registry=${CONCURRENCY}` },
  );
  const rt = createServices(config, { ...process.env, KUBECONFIG: undefined }, { log: silentLogger() });
  const roles = await startRoles(rt);
  try {
    await bareSweep(fleet.proxy.url, fleet.repos, CONCURRENCY); // warm the registry's caches
    const [, baselineMs] = await timed(() => bareSweep(fleet.proxy.url, fleet.repos, CONCURRENCY));
    const before = fleet.proxy.requests.length;
    const [first, firstCycleMs] = await timed(() => roles.runOnce(10 * 60_000));
    const requests = fleet.proxy.requests.slice(before);
    const [, steadyCycleMs] = await timed(() => roles.runOnce(10 * 60_000));
    if (first.applications !== scale.apps || first.errors !== 0) throw new Error(`unexpected cycle result ${JSON.stringify(first)}`);
    return {
      scale: `${scale.apps} apps / ${scale.repos} repos / ${scale.tags} tags`,
      baselineMs: Math.round(baselineMs),
      firstCycleMs: Math.round(firstCycleMs),
      steadyCycleMs: Math.round(steadyCycleMs),
      ratioFirst: +(firstCycleMs / baselineMs).toFixed(1),
      ratioSteady: +(steadyCycleMs / baselineMs).toFixed(1),
      tagListRequests: requests.filter((r) => r.includes('/tags/list')).length,
      registryRequestsPerApp: +(requests.length / scale.apps).toFixed(3),
      heapMb: Math.round(process.memoryUsage().heapUsed / 1e6),
    };
  } finally {
    await roles.close();
    await dropPrefix(prefix);
    await rt.close();
    await fleet.stop();
  }
}

const rows: Row[] = [];
for (const scale of SCALES) rows.push(await benchScale(scale));
console.log('Update cycles (dry-run) against a bare tags/list sweep of the same registry:');
console.table(rows);
const selection = benchSelection();
console.log('Tag selection with allow-tags patterns over 10,000 tags (linear-time RE2 engine):');
console.table(selection);
const at = new Date().toISOString();
const file = `bench/results/${at.replace(/[:.]/g, '-')}.json`;
const result = JSON.stringify({ at, node: process.version, concurrency: CONCURRENCY, cycles: rows, selection }, null, 2);
await writeFile(file, result);
await writeFile('bench/results/latest.json', result);
console.log(`written ${file}`);
