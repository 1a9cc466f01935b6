/**
 * registries.conf follows the ConfigMap without a restart: one long-running `tagflow run` (every
 * role, `--interval 10m`, so only the cycles enqueued here poll) against a control plane of the
 * kube test server and a real registry. An edit adding a registry and changing a `limit` rebuilds
 * the poll targets in the fleet index and the next poll uses them; a bad edit is refused with an
 * error naming the field (log and Warning Event) while the last good configuration keeps working.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullmqSink } from '../../shared/adapters/queue/bullmq-sink.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { RedisCycleLedger } from '../../shared/adapters/redis/cycle-ledger.ts';
import { RedisFleetIndex } from '../../shared/adapters/redis/fleet-index.ts';
import { Keys } from '../../shared/adapters/redis/keys.ts';
import { FLEET_HOST, startFleetEnvironment, type FleetEnvironment } from '../fixtures/fleet-environment.ts';
import { spawnTagflow, type TagflowProcess } from '../helpers/cli.ts';
import { dropPrefix, until } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { updaterConfig } from '../services/kube-fixtures.ts';

const P = 'argocd-image-updater.argoproj.io/';
/** A registry host nobody configured at first (inferred as https://acr.invalid: its polls fail). */
const ADDED_HOST = 'acr.invalid';
const FLEET_REPO_KEY = `${FLEET_HOST}/fleet/svc-1`;
const ADDED_REPO_KEY = `${ADDED_HOST}/fleet/svc-2`;

let env: FleetEnvironment;
let prefix: string;
let proc: TagflowProcess;
let sink: BullmqSink;
let ledger: RedisCycleLedger;
let index: RedisFleetIndex;
const redis = createRedis(TEST_REDIS_URL, 'conf-reload-e2e');

const conf = (entries: string[]) => `registries:\n${entries.join('')}`;
const fleetEntry = (extra = '') =>
  `- name: Fleet\n  api_url: ${env.proxy.url}\n  prefix: ${FLEET_HOST}\n  insecure: yes\n${extra}`;
const addedEntry = (extra = '') =>
  `- name: Added\n  api_url: ${env.proxy.url}\n  prefix: ${ADDED_HOST}\n  insecure: yes\n${extra}`;
const editConfigMap = (text: string) => env.clusters.get('east').server.put(updaterConfig('argocd', text));

async function cycle(timeoutMs = 40_000) {
  const cycleId = `manual-${Date.now()}-${randomBytes(3).toString('hex')}`;
  await sink.add('cycle', 'manual', { cycleId, trigger: 'manual' });
  return ledger.waitFor(cycleId, timeoutMs);
}

beforeAll(async () => {
  env = await startFleetEnvironment();
  prefix = uniquePrefix('confreload');
  await env.pushTags('fleet/svc-1', ['v1.0', 'v2.0']);
  await env.pushTags('fleet/svc-2', ['v1.0', 'v2.0']);
  env.app('east', { name: 'known', namespace: 'argocd', repo: 'fleet/svc-1' });
  // an app whose registry registries.conf does not know yet
  env.app('east', { name: 'added', namespace: 'argocd', repo: 'fleet/svc-2' });
  const added = env.application('east', 'argocd', 'added')!;
  added.metadata.annotations![`${P}image-list`] = `svc=${ADDED_HOST}/fleet/svc-2`;
  added.status.summary.images = [`${ADDED_HOST}/fleet/svc-2:v1.0`];
  env.clusters.get('east').server.put(added);
  sink = new BullmqSink(TEST_REDIS_URL, prefix);
  ledger = new RedisCycleLedger(redis, new Keys(prefix), () => createRedis(TEST_REDIS_URL, 'conf-reload-sub'));
  index = new RedisFleetIndex(redis, new Keys(prefix));
  proc = spawnTagflow(
    [
      'run',
      '--kubeconfig',
      env.kubeconfigPath,
      '--context',
      'east',
      '--interval',
      '10m',
      '--health-port',
      '0',
      '--redis-url',
      TEST_REDIS_URL,
    ],
    { TAGFLOW_PREFIX: prefix, KUBECONFIG: undefined },
  );
  await proc.waitForLog((l) => l.msg === 'tagflow started', 60_000);
}, 120_000);

afterAll(async () => {
  await proc?.kill('SIGTERM');
  await sink?.close();
  if (prefix) await dropPrefix(prefix, redis);
  redis.disconnect();
  await env?.stop();
});

describe('registries.conf edits without a restart', () => {
  it('an edit adding a registry and changing a limit rebuilds the poll targets; the next poll uses them', async () => {
    await until(() => env.patchedTag('east', 'argocd', 'known') === 'v2.0', 60_000, 'the known app on v2.0');
    const before = await until(
      async () => (await index.targets([ADDED_REPO_KEY])).get(ADDED_REPO_KEY),
      30_000,
      'the unknown registry tracked',
    );
    expect(before.endpoint.apiUrl).toBe(`https://${ADDED_HOST}`); // inferred: nothing configured
    expect((await index.targets([FLEET_REPO_KEY])).get(FLEET_REPO_KEY)?.endpoint.limit).toBeUndefined();
    expect(env.patchedTag('east', 'argocd', 'added')).toBeUndefined();

    const from = proc.logs().length;
    editConfigMap(conf([fleetEntry('  limit: 3\n'), addedEntry('  limit: 7\n')]));
    await until(
      async () => {
        const t = await index.targets([FLEET_REPO_KEY, ADDED_REPO_KEY]);
        return t.get(FLEET_REPO_KEY)?.endpoint.limit === 3 && t.get(ADDED_REPO_KEY)?.endpoint.apiUrl === env.proxy.url;
      },
      15_000,
      'the poll targets rebuilt from the edited ConfigMap',
    );
    const targets = await index.targets([FLEET_REPO_KEY, ADDED_REPO_KEY]);
    expect(targets.get(ADDED_REPO_KEY)?.endpoint).toMatchObject({ name: 'Added', limit: 7, insecure: true });
    expect(targets.get(FLEET_REPO_KEY)?.endpoint).toMatchObject({ name: 'Fleet', limit: 3 });
    expect(
      proc
        .logs()
        .slice(from)
        .some(
          (l) => typeof l.msg === 'string' && l.msg.startsWith('registries.conf changed') && l.controlPlane === 'east',
        ),
    ).toBe(true);

    // the next poll goes to the added registry: the app it serves is updated
    const summary = await cycle();
    expect(summary.errors).toBe(0);
    await until(() => env.patchedTag('east', 'argocd', 'added') === 'v2.0', 30_000, 'the added registry polled');
  }, 120_000);

  it('a bad edit is refused with an error naming the field; the last good configuration keeps working', async () => {
    const from = proc.logs().length;
    editConfigMap(conf([fleetEntry('  limit: lots\n'), addedEntry('  limit: 7\n')]));
    const refused = await proc.waitForLog(
      (l) => l.level === 'error' && typeof l.msg === 'string' && l.msg.startsWith('refused an edit of registries.conf'),
      15_000,
      from,
    );
    expect(refused.msg).toMatch(/field "limit" of entry #1 \("Fleet"\) must be an integer, got "lots"/);
    expect(refused).toMatchObject({ controlPlane: 'east', configMap: 'argocd/argocd-image-updater-config' });
    const event = await until(
      () =>
        env.clusters
          .get('east')
          .server.list('v1', 'events', 'argocd')
          .find((e: any) => e.reason === 'InvalidRegistriesConf'),
      10_000,
      'the Warning Event on the ConfigMap',
    );
    expect(event).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'ConfigMap', name: 'argocd-image-updater-config', namespace: 'argocd' },
    });
    expect((event as any).message).toMatch(/field "limit"/);

    // still the last good configuration: a new tag on both registries is found and written
    await env.pushTags('fleet/svc-1', ['v3.0']);
    await env.pushTags('fleet/svc-2', ['v3.0']);
    const summary = await cycle();
    expect(summary.errors).toBe(0);
    await until(
      () =>
        env.patchedTag('east', 'argocd', 'known') === 'v3.0' && env.patchedTag('east', 'argocd', 'added') === 'v3.0',
      30_000,
      'both apps on v3.0',
    );
    const targets = await index.targets([FLEET_REPO_KEY, ADDED_REPO_KEY]);
    expect(targets.get(FLEET_REPO_KEY)?.endpoint.limit).toBe(3);
    expect(targets.get(ADDED_REPO_KEY)?.endpoint.apiUrl).toBe(env.proxy.url);

    // fixing the edit is taken without a restart either
    editConfigMap(conf([fleetEntry('  limit: 5\n'), addedEntry('  limit: 7\n')]));
    await until(
      async () => (await index.targets([FLEET_REPO_KEY])).get(FLEET_REPO_KEY)?.endpoint.limit === 5,
      15_000,
      'the fixed edit in force',
    );
  }, 120_000);
});
