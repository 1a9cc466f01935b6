/**
 * A control plane follows its registries.conf (KubeControlPlane against the kube test server):
 * the ConfigMap by list + watch (edits, a refused edit, deletion, a relist after 410 Gone), the
 * `--registries-conf-path` file by its modification time, in both cases keeping the last good
 * configuration when an edit does not parse.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeControlPlane } from '../../shared/adapters/k8s/kube-control-plane.ts';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { Keys } from '../../shared/adapters/redis/keys.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/endpoint.ts';
import type { TagflowError } from '../../shared/errors.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { until } from '../helpers/pipeline.ts';
import { TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { updaterConfig } from '../services/kube-fixtures.ts';

let server: KubeApiServer;
let kc: k8s.KubeConfig;
let dir: string;
const redis = createRedis(TEST_REDIS_URL, 'conf-follow');
const logs: Record<string, any>[] = [];

beforeAll(async () => {
  server = await startKubeApiServer({ historyLimit: 50 });
  kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeconfig('argocd'));
  dir = await mkdtemp(join(tmpdir(), 'tagflow-conf-follow-'));
});
afterAll(async () => {
  redis.disconnect();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function controlPlane(registriesConfPath?: string) {
  const out = new PassThrough();
  out.on('data', (c: Buffer) =>
    logs.push(
      ...c
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>),
    ),
  );
  return new KubeControlPlane(
    { name: 'prod', kc, contextNamespace: 'argocd', source: 'test' },
    {
      watchNamespaces: [],
      registriesConfPath,
      registriesConfPollMs: 50,
      kubeEvents: true,
      redis,
      keys: new Keys(uniquePrefix('conf-follow')),
      log: createLogger({ level: 'debug', format: 'json', destination: out }),
    },
  );
}

const entry = (name: string, prefix: string, extra = '') =>
  `- name: ${name}\n  api_url: https://${prefix}\n  prefix: ${prefix}\n${extra}`;
const conf = (...entries: string[]) => `registries:\n${entries.join('')}`;
const summary = (eps: readonly RegistryEndpoint[]) => eps.map((e) => `${e.prefix}:${e.limit ?? '-'}`);

function follow(cp: KubeControlPlane) {
  const changes: string[][] = [];
  const refused: TagflowError[] = [];
  const errors: TagflowError[] = [];
  const feed = cp.watchEndpoints({
    changed: (eps) => void changes.push(summary(eps)),
    refused: (e) => void refused.push(e),
    error: (e) => void errors.push(e),
  });
  feed.start();
  return { feed, changes, refused, errors };
}

describe('registries.conf from the ConfigMap', () => {
  it('follows edits by watch, refuses a bad one naming the field, and keeps the last good one', async () => {
    server.put(updaterConfig('argocd', conf(entry('A', 'a.example', '  limit: 5\n'))));
    const cp = controlPlane();
    expect(summary(await cp.endpoints())).toEqual(['a.example:5']);
    const f = follow(cp);
    try {
      await f.feed.firstSync;
      expect(f.changes).toEqual([]); // what endpoints() read already: nothing changed

      server.put(updaterConfig('argocd', conf(entry('A', 'a.example', '  limit: 9\n'), entry('B', 'b.example'))));
      await until(() => f.changes.length === 1, 10_000, 'the edit');
      expect(f.changes[0]).toEqual(['a.example:9', 'b.example:-']);
      expect(summary(await cp.endpoints())).toEqual(['a.example:9', 'b.example:-']);

      const from = logs.length;
      server.put(updaterConfig('argocd', conf(entry('A', 'a.example', '  limit: many\n'))));
      await until(() => f.refused.length === 1, 10_000, 'the refusal');
      expect(f.refused[0]!.message).toMatch(/field "limit" of entry #1 \("A"\) must be an integer, got "many"/);
      expect(f.refused[0]!.message).toContain('configmap argocd/argocd-image-updater-config of control plane prod');
      const line = logs.slice(from).find((l) => l.level === 'error');
      expect(line).toMatchObject({ controlPlane: 'prod', configMap: 'argocd/argocd-image-updater-config' });
      expect(line!.msg).toMatch(/refused an edit of registries\.conf: .*field "limit"/);
      expect(line!.msg).toContain('the last good configuration (2 registry configuration(s)) stays in force');
      expect(summary(await cp.endpoints())).toEqual(['a.example:9', 'b.example:-']);
      const event = await until(
        () => server.list('v1', 'events', 'argocd').find((e: any) => e.reason === 'InvalidRegistriesConf'),
        10_000,
        'the Warning Event',
      );
      expect(event).toMatchObject({ type: 'Warning', involvedObject: { kind: 'ConfigMap' } });

      // the watch resumes after a 410 Gone with a relist; the refused content is reported only once
      server.compact();
      server.closeWatches();
      server.put(updaterConfig('argocd', conf(entry('C', 'c.example'))));
      await until(() => f.changes.length === 2, 10_000, 'the edit after a relist');
      expect(f.changes[1]).toEqual(['c.example:-']);
      expect(f.refused).toHaveLength(1);

      server.delete('v1', 'configmaps', 'argocd', 'argocd-image-updater-config');
      await until(() => f.changes.length === 3, 10_000, 'the deletion');
      expect(f.changes[2]).toEqual([]); // built-in defaults
    } finally {
      await f.feed.stop();
    }
    expect(f.errors).toEqual([]);
  }, 30_000);

  it('refuses a bad configuration with no good one before it (as at start-up)', async () => {
    server.put(updaterConfig('argocd', conf(entry('A', 'a.example', '  tagsortmode: sideways\n'))));
    await expect(controlPlane().endpoints()).rejects.toThrow(/field "tagsortmode"/);
  });
});

describe('registries.conf from --registries-conf-path', () => {
  it('is read again when the file changes; a bad edit keeps the last good one', async () => {
    const path = join(dir, 'registries.conf');
    await writeFile(path, conf(entry('A', 'a.example', '  limit: 1\n')));
    const cp = controlPlane(path);
    expect(summary(await cp.endpoints())).toEqual(['a.example:1']);
    expect(summary(await cp.endpoints())).toEqual(['a.example:1']);

    // without a watch (e.g. `run --once`): each call checks the modification time
    await writeFile(path, conf(entry('A', 'a.example', '  limit: 2\n'), entry('B', 'b.example')));
    await until(async () => summary(await cp.endpoints()).length === 2, 10_000, 'the rewritten file');
    expect(summary(await cp.endpoints())).toEqual(['a.example:2', 'b.example:-']);
    await writeFile(path, 'registries:\n- name: A\n  api_url: https://a.example\n  prefix: a.example\n  colour: red\n');
    await until(
      async () => {
        expect(summary(await cp.endpoints())).toEqual(['a.example:2', 'b.example:-']);
        return logs.some((l) => l.level === 'error' && /unknown field "colour"/.test(l.msg) && l.path === path);
      },
      10_000,
      'the refusal',
    );
    expect(summary(await cp.endpoints())).toEqual(['a.example:2', 'b.example:-']);

    // followed: a change is noticed within the poll period
    const f = follow(cp);
    try {
      await writeFile(path, conf(entry('A', 'a.example', '  limit: 3\n')));
      await until(() => f.changes.some((c) => c.join() === 'a.example:3'), 10_000, 'the followed change');
      expect(summary(await cp.endpoints())).toEqual(['a.example:3']);
      // a file over the size cap is refused before it is read, naming the file; the last good one stays
      await writeFile(path, conf(entry('A', 'a.example', `  name_note: ${'x'.repeat(1024 * 1024)}\n`)));
      await until(
        () => f.refused.some((e) => /the file is larger than 1 MiB/.test(e.message) && e.message.includes(path)),
        10_000,
        'the refusal of the big file',
      );
      expect(summary(await cp.endpoints())).toEqual(['a.example:3']);
    } finally {
      await f.feed.stop();
    }
  }, 30_000);
});
