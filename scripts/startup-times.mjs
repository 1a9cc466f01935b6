#!/usr/bin/env node
// Start-up times of the `tagflow` command, measured as hyperfine would: one warm-up run, then
// STARTUP_RUNS (default 10) timed runs of each case, each a fresh `node` process. The built cases
// run an installed-package layout (bin/ + dist/ + package.json, no sources) built into a temporary
// directory, exactly what `npm install -g` or the Docker image runs; the source cases run the
// checkout's bin/tagflow.js through tsx, for comparison.
//
//   node scripts/startup-times.mjs          a table
//   node scripts/startup-times.mjs --json   the rows as JSON (bench/main.ts, part `startup`)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Math.max(1, Number(process.env.STARTUP_RUNS ?? 10));
const json = process.argv.includes('--json');

/** A port nothing listens on: the registry of the `tagflow test` case refuses at once. */
async function closedPort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** bin/ + dist/ + package.json (+ the checkout's node_modules) in a temporary directory. */
function installedPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'tagflow-startup-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(root, 'bin/tagflow.js'), join(dir, 'bin/tagflow.js'));
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', join(dir, 'dist')], {
    stdio: ['ignore', 2, 2], // stdout may be --json
  });
  return dir;
}

// Each run reports its own peak RSS (process.resourceUsage at exit) through this preload.
const rssPreload =
  'data:text/javascript,' +
  encodeURIComponent(
    "import{appendFileSync}from'node:fs';process.on('exit',()=>appendFileSync(process.env.TAGFLOW_STARTUP_RSS,process.resourceUsage().maxRSS+'\\n'))",
  );

function time(c, rssFile) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', rssPreload, c.bin, ...c.args], {
    env: { ...process.env, ...c.env, TAGFLOW_STARTUP_RSS: rssFile },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== c.status || !c.expect.test(r.stdout + r.stderr))
    throw new Error(
      `${c.name}: exit ${r.status}, expected ${c.status} and ${c.expect}; output: ${(r.stdout + r.stderr).slice(0, 400)}`,
    );
  return ms;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];

function measure(c, dir) {
  const rssFile = join(dir, `rss-${c.name.replace(/\W+/g, '-')}`);
  time(c, rssFile); // warm-up: the file system cache, not the process, is what it warms
  rmSync(rssFile, { force: true });
  const ms = Array.from({ length: runs }, () => time(c, rssFile)).sort((a, b) => a - b);
  const rss = readFileSync(rssFile, 'utf8').trim().split('\n').map(Number);
  const round = (n) => Math.round(n);
  return {
    command: c.name,
    runs,
    'mean ms': round(ms.reduce((a, b) => a + b, 0) / runs),
    'min ms': round(ms[0]),
    'p50 ms': round(quantile(ms, 0.5)),
    'max ms': round(ms[ms.length - 1]),
    'peak RSS MB': round(Math.max(...rss) / 1024),
    target: c.targetMs ? `< ${c.targetMs} ms` : '',
    met: c.targetMs ? (quantile(ms, 0.5) < c.targetMs ? 'yes' : 'NO') : '',
  };
}

const dir = installedPackage();
try {
  const port = await closedPort();
  const built = join(dir, 'bin/tagflow.js');
  const source = join(root, 'bin/tagflow.js');
  const unreachable = ['test', `127.0.0.1:${port}/startup/probe:1.0`];
  const refused = /cannot query the registry.*ECONNREFUSED/;
  const version = new RegExp(
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version.replace(/\./g, '\\.'),
  );
  const cases = [
    { name: 'tagflow --version', bin: built, args: ['--version'], status: 0, expect: version, targetMs: 500 },
    { name: 'tagflow test --help', bin: built, args: ['test', '--help'], status: 0, expect: /Usage: tagflow test/ },
    {
      name: 'tagflow test <unreachable registry>',
      bin: built,
      args: unreachable,
      status: 1,
      expect: refused,
      targetMs: 1000,
    },
    {
      name: 'from sources (tsx): --version',
      bin: source,
      args: ['--version'],
      env: { TAGFLOW_FROM_SOURCE: '1' },
      status: 0,
      expect: version,
    },
    {
      name: 'from sources (tsx): test <unreachable>',
      bin: source,
      args: unreachable,
      env: { TAGFLOW_FROM_SOURCE: '1' },
      status: 1,
      expect: refused,
    },
  ];
  const rows = cases.map((c) => measure(c, dir));
  if (json) console.log(JSON.stringify(rows));
  else {
    console.log(`tagflow start-up, ${runs} runs each after a warm-up (built = installed package, dist/ only):`);
    console.table(rows);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
