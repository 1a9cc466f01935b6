/**
 * Registry-level credentials over time, against a real htpasswd registry (behind a recording proxy)
 * and the kube test server's Secrets through the real client:
 * - `credsexpire`: a Secret is read once, served from the cache, and read again just before the
 *   period runs out (an edit of the Secret is in use from then on);
 * - rotation: after the Secret's password and the registry's htpasswd change, the next poll is
 *   rejected once, re-reads the Secret exactly once and succeeds;
 * - temporary credentials (an `ext:` script printing `user:password`, as ACR's
 *   GetAuthorizationToken wrappers do) whose token the registry stops accepting `credsexpire`
 *   after it was issued: refreshed before that, so no poll ever sends an expired token.
 * distribution re-reads its htpasswd file when the file changes, so the tests rewrite it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfigReader } from '../../shared/adapters/k8s/kube-config-reader.ts';
import { createRegistryAccess } from '../../shared/adapters/registry/registry-access.ts';
import type { PollTarget } from '../../shared/domain/fleet/index-entry.ts';
import { inferEndpoint } from '../../shared/domain/registry/endpoint.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import type { DigestMetadata, MetadataCache } from '../../shared/ports/metadata-cache.ts';
import { pushTags } from '../fixtures/images.ts';
import { until } from '../helpers/pipeline.ts';
import { startFaultProxy, type FaultProxy } from '../services/fault-proxy.ts';
import { startKubeApiServer, type KubeApiServer } from '../services/kube-api-server.ts';
import { opaqueSecret } from '../services/kube-fixtures.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

let reg: RegistryService;
let proxy: FaultProxy;
let kube: KubeApiServer;
let kc: k8s.KubeConfig;
let dir: string;
/** The registry's htpasswd file (in its work directory, next to its log). */
let htpasswdPath: string;

const htpasswdLine = (user: string, password: string) =>
  execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }).split('\n')[0]!.trim();
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/** Replaces the registry's accounts and waits until it answers accordingly. */
async function setAccounts(accounts: Record<string, string>) {
  await writeFile(
    htpasswdPath,
    Object.entries(accounts)
      .map(([u, p]) => htpasswdLine(u, p) + '\n')
      .join(''),
  );
  for (const [u, p] of Object.entries(accounts))
    await until(
      async () => (await fetch(`${reg.url}/v2/`, { headers: basic(u, p) })).status === 200,
      10_000,
      `the registry to accept ${u}`,
    );
}

beforeAll(async () => {
  reg = await startRegistry({ auth: 'basic', users: { robot: 'pw1' } });
  htpasswdPath = join(dirname(reg.logFile), 'htpasswd');
  if (!existsSync(htpasswdPath)) throw new Error(`the registry's htpasswd is not at ${htpasswdPath}`);
  await pushTags(reg, 'team/app', ['v1', 'v2']);
  proxy = await startFaultProxy(reg.url);
  kube = await startKubeApiServer();
  kc = new k8s.KubeConfig();
  kc.loadFromString(kube.kubeconfig('argocd'));
  dir = await mkdtemp(join(tmpdir(), 'tagflow-creds-refresh-'));
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([proxy?.stop(), reg?.stop(), kube?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const memory = (): MetadataCache => {
  const m = new Map<string, DigestMetadata>();
  return {
    getMany: async (ds) => new Map(ds.filter((d) => m.has(d)).map((d) => [d, m.get(d)!])),
    put: async (d, meta) => void m.set(d, meta),
  };
};

function access() {
  const reader = new KubeConfigReader(kc, 'prod');
  return createRegistryAccess({ reader: () => reader, env: process.env, metadata: memory(), log: silentLogger() });
}

const target = (credentials: string, credsExpireMs: number): PollTarget => {
  const endpoint = {
    ...inferEndpoint('registry.example'),
    apiUrl: proxy.url,
    insecure: true,
    credentials,
    credsExpireMs,
  };
  return {
    repoKey: `registry.example/team/app@prod`,
    controlPlane: 'prod',
    endpoint,
    repository: 'team/app',
    credentials,
    metadata: false,
  };
};

const secretReads = () =>
  kube.requests.filter((r) => r.resource === 'secrets' && r.verb === 'get' && r.name === 'registry');
const rejected = (from: number) => proxy.requests.slice(from).filter((r) => / 401$/.test(r));

describe('registry credentials over time', () => {
  it('credsexpire: the Secret is cached for that long, then read again (its edit is used from then on)', async () => {
    await setAccounts({ robot: 'pw1', robot2: 'pw2' });
    kube.put(opaqueSecret('argocd', 'registry', { creds: 'robot:pw1' }));
    const reads0 = secretReads().length;
    const credsExpireMs = 3000;
    const client = await access().clientFor(target('secret:argocd/registry#creds', credsExpireMs));
    expect((await client.listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    const first = secretReads()[reads0]!;
    kube.put(opaqueSecret('argocd', 'registry', { creds: 'robot2:pw2' }));
    // within credsexpire: from the cache
    while (Date.now() - first.at < credsExpireMs / 2) {
      expect((await client.listTags('team/app')).length).toBe(2);
      expect(secretReads().length).toBe(reads0 + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
    // then read again, a margin before the period ends
    await until(
      async () => (await client.listTags('team/app')).length === 2 && secretReads().length === reads0 + 2,
      15_000,
      'the Secret read again',
    );
    const second = secretReads()[reads0 + 1]!;
    expect(second.at - first.at).toBeGreaterThanOrEqual(credsExpireMs * 0.9 - 50);
    // the edited Secret is what is sent now: only robot2 is left and no further read is needed
    const mark = proxy.requests.length;
    await setAccounts({ robot2: 'pw2' });
    expect((await client.listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect(rejected(mark)).toEqual([]);
    expect(secretReads().length).toBe(reads0 + 2);
  }, 30_000);

  it('a 401 after a rotation (Secret and htpasswd changed) re-reads the Secret exactly once', async () => {
    await setAccounts({ robot: 'pw1' });
    kube.put(opaqueSecret('argocd', 'registry', { creds: 'robot:pw1' }));
    const reads0 = secretReads().length;
    const client = await access().clientFor(target('secret:argocd/registry#creds', 0)); // cached forever
    expect((await client.listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect((await client.listTags('team/app')).length).toBe(2);
    expect(secretReads().length).toBe(reads0 + 1);

    kube.put(opaqueSecret('argocd', 'registry', { creds: 'robot:pw3' }));
    await setAccounts({ robot: 'pw3' });
    const mark = proxy.requests.length;
    expect((await client.listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect(secretReads().length).toBe(reads0 + 2);
    // the stale password is rejected (RegistrySession answers the first 401 with the cached value once
    // more before it invalidates it), then the one re-read value is accepted
    expect(rejected(mark).length).toBeGreaterThanOrEqual(1);
    expect(rejected(mark).length).toBeLessThanOrEqual(2);
    expect(proxy.requests.slice(mark).at(-1)).toMatch(/ 200$/);
    // and cached again
    expect((await client.listTags('team/app')).length).toBe(2);
    expect(secretReads().length).toBe(reads0 + 2);
  }, 30_000);

  it('ext: temporary credentials are refreshed before credsexpire: no poll sends an expired token', async () => {
    const credsExpireMs = 6000;
    const current = join(dir, 'current.line');
    const counter = join(dir, 'counter');
    // like a wrapper of `aliyun cr GetAuthorizationToken`: a new temporary password on every run
    const script = join(dir, 'acr-token.sh');
    await writeFile(
      script,
      [
        '#!/bin/sh',
        `n=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 ))`,
        `echo $n > ${counter}`,
        'line=$(htpasswd -Bbn temp "tok-$n" | head -n 1)',
        `printf '%s\\n' "$line" > ${current}.tmp && mv ${current}.tmp ${current}`,
        // issued once the registry knows it; the command takes a while longer to return it (as a cloud CLI does),
        // so a token taken to be valid for credsexpire from when it was received would be sent expired
        `i=0; while ! grep -qxF "$line" ${htpasswdPath}; do i=$((i+1)); [ $i -gt 300 ] && exit 3; sleep 0.02; done`,
        'sleep 0.25',
        'echo "temp:tok-$n"',
        '',
      ].join('\n'),
    );
    await chmod(script, 0o755);
    // the registry's side: the newest token is accepted for credsexpire after it was issued, then no more
    let installed: { line: string; at: number } | undefined;
    let written = '';
    const issuer = setInterval(() => {
      let line = '';
      try {
        line = readFileSync(current, 'utf8').trim();
      } catch {
        /* none issued yet */
      }
      if (line && line !== installed?.line) installed = { line, at: Date.now() };
      const valid = installed && Date.now() - installed.at < credsExpireMs ? installed.line : '';
      const next = valid ? `${valid}\n` : `${htpasswdLine('nobody', 'x')}\n`;
      if (valid === written && statSync(htpasswdPath).size > 0) return;
      written = valid;
      execFileSync('sh', ['-c', `cat > ${htpasswdPath}.tmp && mv ${htpasswdPath}.tmp ${htpasswdPath}`], {
        input: next,
      });
    }, 20);
    try {
      const client = await access().clientFor(target(`ext:${script}`, credsExpireMs));
      const mark = proxy.requests.length;
      const end = Date.now() + credsExpireMs * 2.2;
      let polls = 0;
      while (Date.now() < end) {
        expect((await client.listTags('team/app')).sort()).toEqual(['v1', 'v2']);
        polls++;
        await new Promise((r) => setTimeout(r, 50));
      }
      const runs = Number(readFileSync(counter, 'utf8').trim());
      expect(runs).toBeGreaterThanOrEqual(3); // issued, then refreshed at least twice
      expect(polls).toBeGreaterThan(runs);
      // the first request's challenge is the only 401: no poll ever sent an expired token
      expect(rejected(mark)).toHaveLength(1);
      expect(proxy.requests[mark]).toMatch(/ 401$/);
    } finally {
      clearInterval(issuer);
    }
  }, 60_000);
});
