/**
 * TLS: the real registry over https with a generated CA. Trust comes from ca_file, ca_data or
 * Argo CD's per-host certificate directory; `insecure` skips verification; no trust → registry.tls.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../../shared/adapters/registry/create-registry-client.ts';
import type { RegistryEndpoint } from '../../shared/domain/registry/endpoint.ts';
import { PermanentError } from '../../shared/errors.ts';
import { pushTags } from '../fixtures/images.ts';
import { startRegistry, type RegistryService } from '../services/registry.ts';

let reg: RegistryService;
let caPem: string;
let empty: string;

beforeAll(async () => {
  reg = await startRegistry({ tls: true, auth: 'basic' });
  caPem = await readFile(reg.caFile!, 'utf8');
  empty = await mkdtemp(join(tmpdir(), 'tagflow-tls-'));
  await pushTags(reg, 'secure/app', ['1.0.0', '1.0.1']);
});

afterAll(async () => {
  await reg?.stop();
  if (empty) await rm(empty, { recursive: true, force: true });
});

const endpoint = (fields: Partial<RegistryEndpoint> = {}): RegistryEndpoint => ({
  name: 'Private',
  apiUrl: reg.url,
  prefix: reg.host,
  credsExpireMs: 0,
  tagSortMode: 'unsorted',
  insecure: false,
  isDefault: false,
  ...fields,
});
const settings = { credentials: { username: 'testuser', password: 'testpass' }, tlsCertsDir: '/nonexistent' };

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<PermanentError> {
  const e = await Promise.resolve()
    .then(typeof p === 'function' ? p : () => p)
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(e).toBeInstanceOf(PermanentError);
  return e as PermanentError;
}

describe('TLS registry', () => {
  it('is trusted through ca_file', async () => {
    const c = createRegistryClient(endpoint({ caFile: reg.caFile }), settings);
    expect((await c.listTags('secure/app')).sort()).toEqual(['1.0.0', '1.0.1']);
  });

  it('is trusted through ca_data', async () => {
    const c = createRegistryClient(endpoint({ caData: caPem }), settings);
    expect((await c.headManifest('secure/app', '1.0.1')).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  });

  it('is trusted through the Argo CD TLS directory (file named after the host)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tagflow-tls-certs-'));
    try {
      await writeFile(join(dir, '127.0.0.1'), caPem);
      const c = createRegistryClient(endpoint(), { ...settings, tlsCertsDir: dir });
      expect((await c.listTags('secure/app')).length).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('insecure skips verification', async () => {
    const c = createRegistryClient(endpoint({ insecure: true }), settings);
    expect((await c.listTags('secure/app')).length).toBe(2);
  });

  it('without trust: a permanent registry.tls error', async () => {
    const e = await rejection(
      createRegistryClient(endpoint(), { ...settings, tlsCertsDir: empty }).listTags('secure/app'),
    );
    expect(e.code).toBe('registry.tls');
    expect(e.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/);
  });

  it('bad PEM in ca_data or an unreadable ca_file is a configuration error naming the field', async () => {
    const bad = await rejection(() =>
      createRegistryClient(
        endpoint({ caData: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n' }),
        settings,
      ),
    );
    expect(bad.code).toBe('registry.tls-config');
    expect(bad.message).toBe('ca_data of registry Private does not contain a valid PEM certificate');
    const missing = await rejection(() =>
      createRegistryClient(endpoint({ caFile: join(empty, 'missing.pem') }), settings),
    );
    expect(missing.message).toContain('ca_file of registry Private');
  });
});
