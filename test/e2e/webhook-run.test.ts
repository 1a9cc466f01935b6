/**
 * The seed scenario driven by a registry webhook, as its user wires it: a long-running
 * `tagflow run --enable-webhook` (interval one hour, so nothing but the webhook can explain the
 * update), the ACR Personal Edition trigger posted after `echo-server:v2.0` is pushed, and the commit
 * with v2.0 on the git remote seconds later. A wrong secret changes nothing. Then the anchor's
 * standalone `tagflow webhook` process on the same Redis: it only enqueues, the running workers write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushTags } from '../fixtures/images.ts';
import { sample as sampleBody } from '../fixtures/webhook-samples.ts';
import { SEED_REPOSITORY } from '../fixtures/gitops-demo.ts';
import { startSeedEnvironment, type SeedEnvironment } from '../fixtures/seed-environment.ts';
import { spawnTagflow, type TagflowProcess } from '../helpers/cli.ts';
import { until } from '../helpers/pipeline.ts';
import { dropPrefix } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { freePort } from '../services/registry-process.ts';

const SECRET = 'acr-hook-s3cret';
const SOURCE_FILE = 'manifests/helm/.argocd-source-gitops-demo.yaml';

let env: SeedEnvironment;
let tagflow: TagflowProcess | undefined;
const prefix = uniquePrefix('hookrun');

beforeAll(async () => {
  env = await startSeedEnvironment({ tags: ['v1.0'] });
}, 60_000);
afterAll(async () => {
  await tagflow?.kill('SIGTERM');
  await dropPrefix(prefix);
  await env?.stop();
});

function acrBody(tag: string): string {
  const sample = JSON.parse(sampleBody('acr.json')) as Record<string, any>;
  const [namespace, name] = SEED_REPOSITORY.split('/') as [string, string];
  sample.repository = { ...sample.repository, namespace, name, repo_full_name: SEED_REPOSITORY, region: 'cn-hangzhou' };
  sample.push_data = { ...sample.push_data, tag };
  return JSON.stringify(sample);
}

describe('tagflow run --enable-webhook (the seed scenario by webhook)', () => {
  it('a pushed v2.0 announced by the ACR trigger is committed within seconds; a wrong secret is refused', async () => {
    env.addApplication({ writeBack: 'git:secret:argocd/git-creds' });
    const port = await freePort();
    tagflow = spawnTagflow(
      [
        'run',
        '--kubeconfig',
        env.kubeconfigPath,
        '--redis-url',
        TEST_REDIS_URL,
        '--interval',
        '1h',
        '--enable-webhook',
        '--webhook-port',
        String(port),
      ],
      { TAGFLOW_PREFIX: prefix, KUBECONFIG: undefined, ALIYUN_ACR_WEBHOOK_SECRET: SECRET, TAGFLOW_API_PORT: '0' },
    );
    // the job scheduler's first tick comes at start and the watcher's first picture makes a change cycle:
    // wait for both (they see v1.0 only: nothing to write); after them nothing runs for an hour
    const results = (l: Record<string, any>) => /^Processing results: /.test(String(l.msg ?? ''));
    await tagflow.waitForLog((l) => results(l) && l.trigger === 'interval', 60_000);
    await tagflow.waitForLog((l) => results(l) && /applications=1 /.test(String(l.msg)), 60_000);
    const commitsBefore = (await env.git.log('gitops-demo')).length;
    await pushTags(env.registry, SEED_REPOSITORY, ['v2.0']);
    const url = (secret: string) => `http://127.0.0.1:${port}/webhook?type=aliyun-acr&secret=${secret}`;

    const refused = await fetch(url('wrong'), { method: 'POST', body: acrBody('v2.0') });
    expect(refused.status).toBe(401);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await env.git.log('gitops-demo')).toHaveLength(commitsBefore);

    const sent = Date.now();
    const accepted = await fetch(url(SECRET), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: acrBody('v2.0'),
    });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain('Webhook received and processing');
    await until(async () => (await env.git.readFile('gitops-demo', SOURCE_FILE))?.includes('value: v2.0'), 30_000);
    const latencyMs = Date.now() - sent;
    console.log(`webhook -> commit on the remote: ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(30_000);
    const log = await env.git.log('gitops-demo');
    expect(log).toHaveLength(commitsBefore + 1);
    expect(log[0]!.message).toContain("tag 'v1.0' to 'v2.0'");
    expect(JSON.stringify(tagflow.logs())).not.toContain(SECRET);
  }, 120_000);

  it('the standalone `tagflow webhook` enqueues; the running workers commit the announced v3.0', async () => {
    expect(tagflow, 'the run process of the first test').toBeDefined();
    const port = await freePort();
    const hook = spawnTagflow(
      ['webhook', '--kubeconfig', env.kubeconfigPath, '--redis-url', TEST_REDIS_URL, '--webhook-port', String(port)],
      { TAGFLOW_PREFIX: prefix, KUBECONFIG: undefined, ALIYUN_ACR_WEBHOOK_SECRET: SECRET },
    );
    try {
      await until(
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok,
        30_000,
        'the webhook server',
      );
      await pushTags(env.registry, SEED_REPOSITORY, ['v3.0']);
      const res = await fetch(`http://127.0.0.1:${port}/webhook?type=aliyun-acr&secret=${SECRET}`, {
        method: 'POST',
        body: acrBody('v3.0'),
      });
      expect(res.status).toBe(200);
      await until(async () => (await env.git.readFile('gitops-demo', SOURCE_FILE))?.includes('value: v3.0'), 30_000);
      expect((await env.git.log('gitops-demo'))[0]!.message).toContain("to 'v3.0'");
    } finally {
      await hook.kill('SIGTERM');
    }
  }, 90_000);
});
