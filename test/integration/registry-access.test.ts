/**
 * Registry access per control plane against a real htpasswd registry: a poll target's credentials
 * are read from its own control plane's Secrets; with `--credentials-context`, a Secret the control
 * plane lacks is read from that one; without it, the same target is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryAccess } from '../../shared/adapters/registry/registry-access.ts';
import type { PollTarget } from '../../shared/domain/fleet/index-entry.ts';
import { inferEndpoint } from '../../shared/domain/registry/endpoint.ts';
import { silentLogger } from '../../shared/logging/logger.ts';
import type { ConfigReader } from '../../shared/ports/application-store.ts';
import type { DigestMetadata, MetadataCache } from '../../shared/ports/metadata-cache.ts';
import { pushTags } from '../fixtures/images.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

let reg: RegistryService;
beforeAll(async () => {
  reg = await startRegistry({ auth: 'basic', users: { robot: 's3cret-robot' } });
  await pushTags(reg, 'team/app', ['v1', 'v2']);
});
afterAll(async () => reg?.stop());

/** A control plane's Secrets, in memory. */
function secrets(data: Record<string, Record<string, string>>): ConfigReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async readSecret(ns, name) {
      reads.push(`${ns}/${name}`);
      return data[`${ns}/${name}`] ?? null;
    },
    readConfigMap: async () => null,
    listSecrets: async () => [],
  };
}

const memory = (): MetadataCache => {
  const m = new Map<string, DigestMetadata>();
  return {
    getMany: async (ds) => new Map(ds.filter((d) => m.has(d)).map((d) => [d, m.get(d)!])),
    put: async (d, meta) => void m.set(d, meta),
  };
};

const target = (controlPlane: string): PollTarget => {
  const endpoint = {
    ...inferEndpoint(reg.host),
    apiUrl: reg.url,
    insecure: true,
    credentials: 'secret:argocd/registry#creds',
  };
  return {
    repoKey: `${reg.host}/team/app@${controlPlane}`,
    controlPlane,
    endpoint,
    repository: 'team/app',
    credentials: endpoint.credentials,
    metadata: false,
  };
};

describe('registry credentials per control plane', () => {
  it("reads the target's own control plane's Secret", async () => {
    const east = secrets({ 'argocd/registry': { creds: 'robot:s3cret-robot' } });
    const west = secrets({});
    const access = createRegistryAccess({
      reader: (cp) => ({ east, west })[cp],
      env: {},
      metadata: memory(),
      log: silentLogger(),
    });
    expect((await (await access.clientFor(target('east'))).listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect(east.reads).toEqual(['argocd/registry']);
    expect(west.reads).toEqual([]);
    await expect((await access.clientFor(target('west'))).listTags('team/app')).rejects.toThrow(
      /secret argocd\/registry|not found/i,
    );
  });

  it('falls back to the --credentials-context control plane for a Secret the control plane lacks', async () => {
    const shared = secrets({ 'argocd/registry': { creds: 'robot:s3cret-robot' } });
    const west = secrets({});
    const access = createRegistryAccess({
      reader: (cp) => ({ west, shared })[cp],
      fallback: shared,
      env: {},
      metadata: memory(),
      log: silentLogger(),
    });
    expect((await (await access.clientFor(target('west'))).listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect(west.reads).toEqual(['argocd/registry']);
    expect(shared.reads).toEqual(['argocd/registry']);
  });

  it("prefers the control plane's own Secret over the shared one", async () => {
    const shared = secrets({ 'argocd/registry': { creds: 'robot:wrong-password' } });
    const west = secrets({ 'argocd/registry': { creds: 'robot:s3cret-robot' } });
    const access = createRegistryAccess({
      reader: (cp) => ({ west, shared })[cp],
      fallback: shared,
      env: {},
      metadata: memory(),
      log: silentLogger(),
    });
    expect((await (await access.clientFor(target('west'))).listTags('team/app')).sort()).toEqual(['v1', 'v2']);
    expect(shared.reads).toEqual([]);
  });
});
