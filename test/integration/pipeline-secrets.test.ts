/**
 * No secret ever reaches a job payload, a log line or the audit trail. A cycle exercises every
 * queue and failure path that handles credentials (token-authenticated registry, a registry with
 * wrong credentials, a registry answering 500, git pushes with Basic auth, a wrong git password,
 * the argocd patch), logging at trace level; then every Redis key of the run (BullMQ job hashes
 * of every queue, the audit streams, plans, snapshots) and the whole log are scanned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_PASSWORD, ACR_USER, GIT_PASSWORD, GIT_USER } from '../fixtures/seed-environment.ts';
import { SEED_REPOSITORY } from '../fixtures/gitops-demo.ts';
import {
  DENIED_PREFIX,
  FLAKY_PREFIX,
  startWritebackEnvironment,
  WRONG_PASSWORD,
  type WritebackEnvironment,
} from '../fixtures/writeback-environment.ts';
import { startPipeline, type Pipeline } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL } from '../helpers/redis.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import type { Redis } from 'ioredis';

let env: WritebackEnvironment;
let pipeline: Pipeline;
beforeAll(async () => {
  env = await startWritebackEnvironment();
}, 60_000);
afterAll(async () => {
  await pipeline?.close();
  await env?.stop();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
function secrets(kubeToken: string | null): string[] {
  const list = [
    ACR_PASSWORD,
    GIT_PASSWORD,
    WRONG_PASSWORD,
    b64(`${ACR_USER}:${ACR_PASSWORD}`),
    b64(`${GIT_USER}:${GIT_PASSWORD}`),
    b64(`${GIT_USER}:${WRONG_PASSWORD}`),
    b64(`${ACR_USER}:${WRONG_PASSWORD}`),
  ];
  return kubeToken ? [...list, kubeToken] : list;
}
/** A JWT (registry bearer tokens are JWTs): base64url JSON header, payload, signature. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;

/** Every value stored under the prefix, whatever its Redis type, as `key => text`. */
async function dumpPrefix(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    for (const k of keys) {
      const type = await redis.type(k);
      const value =
        type === 'string'
          ? await redis.get(k)
          : type === 'hash'
            ? JSON.stringify(await redis.hgetall(k))
            : type === 'list'
              ? JSON.stringify(await redis.lrange(k, 0, -1))
              : type === 'set'
                ? JSON.stringify(await redis.smembers(k))
                : type === 'zset'
                  ? JSON.stringify(await redis.zrange(k, '0', '-1'))
                  : type === 'stream'
                    ? JSON.stringify(await redis.xrange(k, '-', '+'))
                    : '';
      out.set(k, value ?? '');
    }
    cursor = next;
  } while (cursor !== '0');
  return out;
}

describe('secrets stay out of job payloads, logs and the audit trail', () => {
  it('after a cycle through every queue and credential path', async () => {
    env.app({ name: 'sec-git', path: 'apps/sec-git', writeBack: 'git:secret:argocd/git-creds' });
    env.app({ name: 'sec-git-bad', path: 'apps/sec-git-bad', writeBack: 'git:secret:argocd/git-bad' });
    env.app({ name: 'sec-argocd', writeBack: 'argocd' });
    env.app({ name: 'sec-denied', image: `${DENIED_PREFIX}/${SEED_REPOSITORY}`, writeBack: 'argocd' });
    env.app({ name: 'sec-flaky', image: `${FLAKY_PREFIX}/${SEED_REPOSITORY}`, writeBack: 'argocd' });
    env.proxy.failNext({ pathRegex: /\/tags\/list$/, status: 500 });
    pipeline = await startPipeline(env.kubeconfigPath, { logLevel: 'trace' });

    const summary = await pipeline.runOnce();
    expect(summary).toMatchObject({ applications: 5, images_updated: 3, errors: 2 });

    const redis = createRedis(TEST_REDIS_URL, 'dump');
    const dump = await dumpPrefix(redis, pipeline.prefix).finally(() => redis.disconnect());
    // the scan really covers the job hashes of every queue and the audit streams
    for (const queue of ['cycle', 'poll', 'select', 'patch', 'commit']) {
      const jobs = [...dump.keys()].filter((k) => new RegExp(`^${pipeline.prefix}:${queue}:\\d+$`).test(k));
      expect(jobs.length, `${queue} jobs`).toBeGreaterThan(0);
      for (const k of jobs) expect(dump.get(k)).toContain('"data"');
    }
    expect(dump.get(`${pipeline.prefix}:audit`)).toContain('git.auth');
    expect(dump.get(`${pipeline.prefix}:audit`)).toContain('registry.unauthorized');

    const log = pipeline.logText();
    expect(log).toContain('could not write back to git');
    expect(log).toMatch(/"level":"trace".*"msg":"registry request"/); // the registry's requests were logged too
    for (const secret of secrets(env.kube.token)) {
      for (const [k, v] of dump) expect(v.includes(secret), `${k} contains a secret`).toBe(false);
      expect(log.includes(secret), 'the log contains a secret').toBe(false);
    }
    for (const [k, v] of dump) expect(JWT.test(v), `${k} contains a bearer token`).toBe(false);
    expect(JWT.test(log), 'the log contains a bearer token').toBe(false);
  });
});
