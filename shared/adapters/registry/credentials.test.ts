import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError, TransientError } from '../../errors.ts';
import type { ConfigReader } from '../../ports/application-store.ts';
import { CredentialsResolver } from './credentials.ts';

function fakeReader(secrets: Record<string, Record<string, string>>): ConfigReader & { reads: number } {
  return {
    reads: 0,
    async readSecret(ns, name) {
      this.reads++;
      return secrets[`${ns}/${name}`] ?? null;
    },
    async readConfigMap() {
      return null;
    },
    async listSecrets() {
      return [];
    },
  };
}

let dir: string;
async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagflow-creds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CredentialsResolver: env', () => {
  it('reads the injected environment, not process.env', async () => {
    const r = new CredentialsResolver({ env: { REG: 'user:pa:ss' } });
    await expect(r.resolve('https://r', 'env:REG')).resolves.toEqual({ username: 'user', password: 'pa:ss' });
    await expect(r.resolve('https://r', 'env:PATH')).rejects.toThrow("env 'PATH' is not set");
  });
});

describe('CredentialsResolver: secret and pullsecret', () => {
  it.each(
    vectors<{ secretField: string; secretValue: string; expected: { username: string; password: string } }>(
      'credential-fetch-secret',
    ),
  )('$id: secret field', async ({ secretField, secretValue, expected }) => {
    const r = new CredentialsResolver({
      env: {},
      configReader: fakeReader({ 'ns/creds': { [secretField]: secretValue } }),
    });
    await expect(r.resolve('https://r', `secret:ns/creds#${secretField}`)).resolves.toEqual(expected);
  });

  it('pullsecret reads .dockerconfigjson and matches the API URL', async () => {
    const conf = JSON.stringify({
      auths: { 'registry.example:5000': { auth: Buffer.from('robot:tok').toString('base64') } },
    });
    const r = new CredentialsResolver({
      env: {},
      configReader: fakeReader({ 'argocd/regcred': { '.dockerconfigjson': conf } }),
    });
    await expect(r.resolve('https://registry.example:5000', 'pullsecret:argocd/regcred')).resolves.toEqual({
      username: 'robot',
      password: 'tok',
    });
    await expect(r.resolve('https://other.example', 'pullsecret:argocd/regcred')).rejects.toThrow(
      'no valid auth entry for registry https://other.example',
    );
  });

  it.each([
    ['secret:ns/missing#f', "could not fetch secret 'missing' from namespace 'ns' (field: 'f'): secret not found"],
    [
      'secret:ns/creds#nofield',
      "could not fetch secret 'creds' from namespace 'ns' (field: 'nofield'): field not found",
    ],
  ])('%s fails clearly', async (source, message) => {
    const r = new CredentialsResolver({ env: {}, configReader: fakeReader({ 'ns/creds': { f: 'a:b' } }) });
    await expect(r.resolve('https://r', source)).rejects.toThrow(message);
  });

  it('needs a ConfigReader for secrets', async () => {
    const r = new CredentialsResolver({ env: {} });
    await expect(r.resolve('https://r', 'secret:ns/n#f')).rejects.toThrow('no Kubernetes client given');
  });
});

describe('CredentialsResolver: ext', () => {
  it.each(vectors<{ scriptPath: string; expected: { error: string } }>('credential-fetch-ext'))(
    '$id: $scriptPath',
    async ({ scriptPath, expected }) => {
      const r = new CredentialsResolver({ env: {} });
      await expect(r.resolve('https://r', `ext:${scriptPath}`)).rejects.toThrow(expected.error);
    },
  );

  it('runs the script with the injected environment and trims its output', async () => {
    const path = await script('ok.sh', 'echo "$REG_USER:s3cret"');
    const r = new CredentialsResolver({ env: { REG_USER: 'bot' } });
    await expect(r.resolve('https://r', `ext:${path}`)).resolves.toEqual({ username: 'bot', password: 's3cret' });
  });

  it('a failing script is transient and its output is not echoed', async () => {
    const path = await script('fail.sh', 'echo "leaked:secret"; exit 3');
    const r = new CredentialsResolver({ env: {} });
    const err = await r.resolve('https://r', `ext:${path}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe(`error executing ${path}: exit code 3`);
  });

  it('a hanging script is killed at the timeout', async () => {
    const path = await script('hang.sh', 'exec sleep 30');
    const r = new CredentialsResolver({ env: {}, extTimeoutMs: 300 });
    const started = Date.now();
    await expect(r.resolve('https://r', `ext:${path}`)).rejects.toThrow('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('malformed output and missing scripts are permanent', async () => {
    const path = await script('bad.sh', 'echo nocolon');
    const r = new CredentialsResolver({ env: {} });
    await expect(r.resolve('https://r', `ext:${path}`)).rejects.toThrow(PermanentError);
    await expect(r.resolve('https://r', `ext:${join(dir, 'nope.sh')}`)).rejects.toThrow('could not stat');
  });
});

describe('CredentialsResolver: caching', () => {
  it('caches per (apiUrl, source) for cacheMs, refetches after expiry and after invalidate', async () => {
    let now = 1_000;
    const reader = fakeReader({ 'ns/s': { f: 'u:p' } });
    const r = new CredentialsResolver({ env: {}, configReader: reader, now: () => now });
    await r.resolve('https://a', 'secret:ns/s#f', { cacheMs: 60_000 });
    await r.resolve('https://a', 'secret:ns/s#f', { cacheMs: 60_000 });
    expect(reader.reads).toBe(1);
    await r.resolve('https://b', 'secret:ns/s#f', { cacheMs: 60_000 });
    expect(reader.reads).toBe(2);
    now += 60_001;
    await r.resolve('https://a', 'secret:ns/s#f', { cacheMs: 60_000 });
    expect(reader.reads).toBe(3);
    r.invalidate('https://a', 'secret:ns/s#f');
    await r.resolve('https://a', 'secret:ns/s#f', { cacheMs: 60_000 });
    expect(reader.reads).toBe(4);
  });

  it('cacheMs 0 caches forever; no cacheMs fetches every time', async () => {
    let now = 0;
    const reader = fakeReader({ 'ns/s': { f: 'u:p' } });
    const r = new CredentialsResolver({ env: {}, configReader: reader, now: () => now });
    await r.resolve('https://a', 'secret:ns/s#f', { cacheMs: 0 });
    now += 365 * 24 * 3_600_000;
    await r.resolve('https://a', 'secret:ns/s#f', { cacheMs: 0 });
    expect(reader.reads).toBe(1);
    await r.resolve('https://a', 'secret:ns/s#f');
    await r.resolve('https://a', 'secret:ns/s#f');
    expect(reader.reads).toBe(3);
  });

  it('refreshes a margin before cacheMs runs out (a tenth, at most 5 min); a failed refresh serves the cached value until the expiry', async () => {
    let now = 0;
    const counter = join(dir, 'refresh-counter');
    const fail = join(dir, 'refresh-fail');
    const path = await script(
      'refresh.sh',
      `[ -e ${fail} ] && exit 1\nn=$(( $(cat ${counter} 2>/dev/null || echo 0) + 1 ))\necho $n > ${counter}\necho "temp:tok-$n"`,
    );
    const r = new CredentialsResolver({ env: {}, now: () => now });
    const get = async () => (await r.resolve('https://acr', `ext:${path}`, { cacheMs: 10_000 })).password;
    expect(await get()).toBe('tok-1');
    now = 8_999;
    expect(await get()).toBe('tok-1');
    now = 9_000; // 90 %: a new one, while the old one is still valid
    expect(await get()).toBe('tok-2');
    now = 9_000 + 8_999;
    expect(await get()).toBe('tok-2');
    await writeFile(fail, '');
    now = 9_000 + 9_500; // the refresh fails: tok-2 is good for another 500 ms
    expect(await get()).toBe('tok-2');
    now = 9_000 + 10_000; // expired and no new one: the error
    await expect(get()).rejects.toThrow(/error executing/);
    await rm(fail);
    expect(await get()).toBe('tok-3');
    // a long credsexpire is refreshed 5 minutes early
    const day = 24 * 3_600_000;
    const long = async () => (await r.resolve('https://long', `ext:${path}`, { cacheMs: day })).password;
    expect(await long()).toBe('tok-4');
    now += day - 5 * 60_000 - 1;
    expect(await long()).toBe('tok-4');
    now += 1;
    expect(await long()).toBe('tok-5');
  });

  it('dedupes concurrent fetches', async () => {
    const path = await script('slow.sh', 'sleep 0.2; date +%s%N | sed "s/^/u:/"');
    const r = new CredentialsResolver({ env: {} });
    const results = await Promise.all([1, 2, 3, 4].map(() => r.resolve('https://a', `ext:${path}`)));
    expect(new Set(results.map((c) => c.password)).size).toBe(1);
  });
});
