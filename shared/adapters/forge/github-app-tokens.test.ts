/**
 * GitHub App installation tokens against the forge stand-in: the JWT GitHub gets (RS256, iat-60s,
 * exp at most 10 minutes, iss = app id), one token request for many callers until shortly before
 * the token expires, and clear permanent errors for a refused app that never show the private key.
 */
import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startForgeServer, type ForgeServer } from '../../../test/services/forge-server.ts';
import { PermanentError, TransientError } from '../../errors.ts';
import { GitHubAppTokenClient } from './github-app-tokens.ts';
import { githubAppJwt, readAppPrivateKey } from './github-jwt.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const REPO = 'https://github.com/acme/app.git';

let forge: ForgeServer;
beforeAll(async () => {
  forge = await startForgeServer();
  forge.addApp({ id: '4242', publicKey: PUBLIC, installations: { '99': { repos: ['acme/app'], write: true } } });
});
afterAll(() => forge.close());

const app = (o: Partial<{ appId: string; installationId: string; privateKey: string }> = {}) => ({
  appId: '4242',
  installationId: '99',
  privateKey: PEM,
  enterpriseBaseUrl: forge.url,
  repoUrl: REPO,
  ...o,
});

const rejection = async (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

describe('githubAppJwt', () => {
  it('is RS256-signed with iat 60 s back, exp at most 10 minutes after iat and iss = the app id', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const [h, c, sig] = githubAppJwt('4242', readAppPrivateKey(PEM, '4242', 'test'), now).split('.');
    expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(c!, 'base64url').toString());
    expect(claims.iss).toBe('4242');
    expect(claims.iat).toBe(now / 1000 - 60);
    expect(claims.exp).toBeGreaterThan(now / 1000);
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(600);
    expect(verify('sha256', Buffer.from(`${h}.${c}`), PUBLIC, Buffer.from(sig!, 'base64url'))).toBe(true);
  });

  it('a key that does not parse names the app, never the key', () => {
    const bad = '-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----';
    const e = (() => {
      try {
        readAppPrivateKey(bad, '4242', 'secret argocd/gh');
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e).toBeInstanceOf(PermanentError);
    expect(e!.message).toContain('GitHub App 4242');
    expect(e!.message).not.toContain('c2VjcmV0');
  });
});

describe('GitHubAppTokenClient', () => {
  it('fetches one token and reuses it, also for callers asking at once', async () => {
    const client = new GitHubAppTokenClient();
    const before = forge.issued.length;
    const tokens = await Promise.all([client.installationToken(app()), client.installationToken(app())]);
    const again = await client.installationToken(app());
    expect(forge.issued.length).toBe(before + 1);
    expect(new Set([...tokens, again])).toEqual(new Set([forge.issued.at(-1)!.token]));
    expect(forge.requests.filter((r) => r.path === '/app/installations/99/access_tokens').at(-1)?.status).toBe(201);
  });

  it('asks for a new token shortly before the cached one expires', async () => {
    let now = Date.now();
    const client = new GitHubAppTokenClient({ now: () => now, renewBeforeMs: 5 * 60_000 });
    const before = forge.issued.length;
    const first = await client.installationToken(app());
    now += 50 * 60_000; // 10 minutes left: still good
    expect(await client.installationToken(app())).toBe(first);
    now += 6 * 60_000; // 4 minutes left: renewed
    const second = await client.installationToken(app());
    expect(second).not.toBe(first);
    expect(forge.issued.length).toBe(before + 2);
  });

  it('a key the app does not have (401): a permanent git.credentials error naming app and repository, not the key', async () => {
    const e = await rejection(new GitHubAppTokenClient().installationToken(app({ privateKey: other })));
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).code).toBe('git.credentials');
    expect(e!.message).toContain('GitHub App 4242');
    expect(e!.message).toContain('github.com/acme/app');
    expect(e!.message).toContain('401');
    expect(e!.message).not.toContain('PRIVATE KEY');
  });

  it('an unknown installation (404): permanent, naming the installation', async () => {
    const e = await rejection(new GitHubAppTokenClient().installationToken(app({ installationId: '7' })));
    expect(e).toBeInstanceOf(PermanentError);
    expect(e!.message).toContain('installation 7');
    expect(e!.message).toContain('githubAppInstallationID');
  });

  it('a failing token endpoint (503) is transient; an id that is no number is permanent', async () => {
    forge.failNext({ pathRegex: /access_tokens$/, status: 503 });
    expect(await rejection(new GitHubAppTokenClient().installationToken(app()))).toBeInstanceOf(TransientError);
    const e = await rejection(new GitHubAppTokenClient().installationToken(app({ appId: 'abc' })));
    expect(e).toBeInstanceOf(PermanentError);
    expect(e!.message).toContain('githubAppID');
  });
});
