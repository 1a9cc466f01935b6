import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeedEnvironment, type SeedEnvironment } from '../fixtures/seed-environment.ts';
import { runCli, TAGFLOW_BIN } from '../helpers/cli.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';

let env: SeedEnvironment;
beforeAll(async () => {
  env = await startSeedEnvironment();
  env.addApplication({ writeBack: 'git:secret:argocd/git-creds' });
}, 60_000);
afterAll(() => env?.stop());

const common = () => ['--kubeconfig', env.kubeconfigPath, '--redis-url', TEST_REDIS_URL];

describe('tagflow run modes', () => {
  it('--dry-run plans and audits but writes nothing', async () => {
    const prefix = uniquePrefix('dry');
    const commits = (await env.git.log('gitops-demo')).length;
    const run = await runCli(['run', '--once', '--dry-run', ...common()], { TAGFLOW_PREFIX: prefix });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Processing results: applications=1 images_considered=1 images_skipped=0 images_updated=1 errors=0',
    );
    expect(run.stdout).not.toContain('Successfully updated the live application spec');
    expect(await env.git.log('gitops-demo')).toHaveLength(commits);
    const audit = await runCli(['audit', '--app', 'gitops-demo', '--output', 'json', '--redis-url', TEST_REDIS_URL], {
      TAGFLOW_PREFIX: prefix,
    });
    expect(JSON.parse(audit.stdout)).toEqual([
      expect.objectContaining({ outcome: 'dry-run', current: 'v1.0', selected: 'v2.0' }),
    ]);
  }, 60_000);

  it('splits roles across processes that meet in Redis', async () => {
    const prefix = uniquePrefix('roles');
    const workers: ChildProcess = spawn(
      process.execPath,
      [TAGFLOW_BIN, 'run', '--roles', 'registry,select,patch,git', ...common()],
      {
        env: { ...process.env, TAGFLOW_PREFIX: prefix },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let workerLog = '';
    workers.stdout!.on('data', (c: Buffer) => (workerLog += c.toString()));
    try {
      await waitFor(() => workerLog.includes('tagflow started'), 20_000);
      const scheduler = await runCli(['run', '--once', '--roles', 'scheduler', ...common()], {
        TAGFLOW_PREFIX: prefix,
      });
      expect(scheduler.code).toBe(0);
      expect(scheduler.stdout).toContain(
        'Starting image update cycle, considering 1 annotated application(s) for update',
      );
      expect(scheduler.stdout).toContain('Processing results: applications=1 images_considered=1 images_skipped=0');
      expect(scheduler.stdout).not.toContain('Successfully updated');
      expect(workerLog).toMatch(
        /msg="(Successfully updated the live application spec|write-back target already up to date, no commit needed)" application=gitops-demo/,
      );
    } finally {
      workers.kill('SIGTERM');
      await new Promise((r) => workers.once('exit', r));
    }
  }, 60_000);

  it('runs a cycle every --interval until SIGTERM, then exits cleanly', async () => {
    const prefix = uniquePrefix('interval');
    const child = spawn(process.execPath, [TAGFLOW_BIN, 'run', '--interval', '1s', '--health-port', '0', ...common()], {
      env: { ...process.env, TAGFLOW_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(() => (log.match(/Processing results: applications=1 /g) ?? []).length >= 2, 30_000);
      const port = /msg="api listening" port=(\d+)/.exec(log)![1];
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect([health.status, await health.text()]).toEqual([200, 'OK\n']);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(log.match(/Starting image update cycle/g)!.length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it("takes an argocd-image-updater Deployment's arguments: what tagflow ignores gets one warning each", async () => {
    const prefix = uniquePrefix('anchor');
    const args = [
      '--metrics-bind-address=:8443',
      'run',
      '--once',
      ...common(),
      '--warmup-cache=true',
      '--leader-election',
      '--health-probe-bind-address=:8081',
    ];
    const run = await runCli(
      [
        ...args,
        '--max-concurrent-apps',
        '4',
        '--max-concurrent-reconciles=2',
        '--applications-api',
        'kubernetes',
        '--git-commit-sign-off',
      ],
      { TAGFLOW_PREFIX: prefix },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Processing results: applications=1');
    expect(run.stdout).toMatch(/--warmup-cache is ignored: /);
    expect(run.stdout).toMatch(/--max-concurrent-reconciles is ignored: /);
    expect(run.stdout).not.toMatch(/--git-commit-sign-off is ignored/); // implemented: commits are signed off
    expect(run.stdout).toMatch(/metrics/);
    expect(run.stdout).not.toMatch(/--leader-election is ignored|--applications-api is ignored/); // no-ops at these values
    const bad = await runCli(['run', '--once', ...common(), '--max-concurrency', 'x'], {});
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--max-concurrency: expected a positive integer, got "x"/);
  }, 60_000);

  it('fails fast with a clear message on bad configuration', async () => {
    const run = await runCli(['run', '--once', '--interval', 'soon', '--roles', 'cook', ...common()], {});
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/interval: invalid duration "soon"/);
    expect(run.stderr).toMatch(/unknown role "cook"/);
  }, 30_000);
});

async function waitFor(check: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
