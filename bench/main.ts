/**
 * `npm run bench`: the fleet engine on real local services, timed against a bare tags/list sweep
 * of the same registry in the same run (machines here are shared and noisy, so ratios are what to
 * compare), then tag selection over hostile patterns. Prints tables and writes
 * bench/results/<time>.json (and latest.json).
 *
 * BENCH_FLEET=apps x repos x tags x controlPlanes x processes (default 10000x2000x20x2x1).
 * BENCH_PARTS=fleet,strategies,budget,selection,git,startup,webhook picks the parts (default all).
 * BENCH_WEBHOOK_PUSHES=50: pushes timed by the webhook part.
 * BENCH_GIT_APPS=200,1000: the monorepo sizes of the git write-back part.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { benchFleetEngine, type FleetScale } from './fleet-engine.ts';
import { benchBudget, benchStrategyCosts } from './registry-budget.ts';
import { benchSelection } from './selection.ts';
import { benchGitWriteback } from './git-writeback.ts';
import { benchWebhookLatency } from './webhook-latency.ts';

const [apps, repos, tags, controlPlanes, processes] = (process.env.BENCH_FLEET ?? '10000x2000x20x2x1')
  .split('x')
  .map(Number) as [number, number, number, number, number];
const scale: FleetScale = { apps, repos, tags, controlPlanes, processes };
const log = (s: string) => console.error(`bench: ${s}`);

// tagflow runs as users run it: the built distribution
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const parts = new Set((process.env.BENCH_PARTS ?? 'fleet,strategies,budget,selection,git,startup,webhook').split(','));
let fleet;
if (parts.has('fleet')) {
  fleet = await benchFleetEngine(scale, log);
  console.log(
    `Fleet engine, ${apps} apps / ${repos} repos / ${tags} tags / ${controlPlanes} control planes / ${processes} tagflow process(es), dry run (${machine}):`,
  );
  console.table(fleet.rows);
  console.log(
    `discovery (list of every control plane into the fleet index): ${Math.round(fleet.discoveryMs)} ms after start; peak RSS per tagflow process: ${fleet.rss.join(', ')} MB (target ≤ 300)`,
  );
}
let registry;
if (parts.has('strategies') || parts.has('budget')) {
  const strategies = parts.has('strategies') ? await benchStrategyCosts(log) : undefined;
  const budget = parts.has('budget') ? await benchBudget({ repos, tags }, 2, log) : undefined;
  registry = { strategies, budget };
  if (strategies) {
    console.log(
      'Registry requests per repository and cycle, by strategy (10 repositories of 10 distinct images each):',
    );
    console.table(strategies);
  }
  if (budget) {
    console.log(
      `Polling ${repos} repositories under limit: 50 with 2 tagflow processes (theoretical: ${repos / 50} s):`,
    );
    console.table([budget]);
  }
}
let selection;
if (parts.has('selection')) {
  selection = benchSelection();
  console.log('Tag selection with allow-tags patterns over 10,000 tags (linear-time RE2 engine):');
  console.table(selection);
}
let git;
if (parts.has('git')) {
  const sizes = (process.env.BENCH_GIT_APPS ?? '200,1000').split(',').map(Number);
  git = await benchGitWriteback(sizes, log);
  console.log(
    'Git write-back, N apps in one repository (3,000 other files), one cycle each with a new tag; plain git = shallow clone (cold) or fetch + reset (warm) + edit + commit + push of N files with the git CLI on the same server:',
  );
  console.table(git);
}
let startup;
if (parts.has('startup')) {
  // scripts/startup-times.mjs: fresh processes of the built command vs the sources (STARTUP_RUNS)
  startup = JSON.parse(execFileSync(process.execPath, ['scripts/startup-times.mjs', '--json'], { encoding: 'utf8' }));
  console.log('Start-up of the tagflow command (built = installed package running dist/; targets on the p50):');
  console.table(startup);
}
let webhook;
if (parts.has('webhook')) {
  const pushes = Number(process.env.BENCH_WEBHOOK_PUSHES ?? 50);
  webhook = await benchWebhookLatency(pushes, log);
  console.log(
    `Registry webhook → write-back, ${pushes} pushes (POST of the notification → commit on the remote / Application patched):`,
  );
  console.table(webhook);
}
const at = new Date().toISOString();
const file = `bench/results/${at.replace(/[:.]/g, '-')}.json`;
const result = JSON.stringify({ at, machine, scale, fleet, registry, selection, git, startup, webhook }, null, 2);
await writeFile(file, result);
await writeFile('bench/results/latest.json', result);
console.log(`written ${file}`);
