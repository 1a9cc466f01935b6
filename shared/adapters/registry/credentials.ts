/**
 * Resolves a credential source (`env:`, `secret:`, `pullsecret:`, `ext:`) to username/password.
 * Secrets come through the ConfigReader port, env values from an injected map, `ext:` scripts are
 * run (absolute path, no arguments, 10 s timeout). Results may be cached per (API URL, source)
 * for `credsexpire` (0 = forever), fetched again a margin before it runs out (`refreshMarginMs`;
 * should that fetch fail, the cached value serves until the expiry); concurrent fetches of the
 * same pair share one fetch.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { PermanentError, TransientError } from '../../errors.ts';
import type { ConfigReader } from '../../ports/application-store.ts';
import type { RegistryCredentials } from '../../ports/registry-client.ts';
import {
  credentialsFromEnvValue,
  credentialsFromScriptOutput,
  credentialsFromSecretValue,
  formatCredentialSource,
  parseCredentialSource,
  PULL_SECRET_FIELD,
  type CredentialSource,
} from '../../domain/registry/credential-source.ts';
import { dockerConfigAuth } from '../../domain/registry/docker-config.ts';
import type { CredentialProvider } from './registry-session.ts';

export const EXT_SCRIPT_TIMEOUT_MS = 10_000;

/**
 * How long before `credsexpire` runs out cached credentials are fetched again: a tenth of their
 * lifetime, at most 5 minutes. Temporary credentials (an `ext:` script wrapping
 * `aliyun cr GetAuthorizationToken`, a cloud token valid for exactly credsexpire) are then never
 * sent in their last moments, however long a poll takes.
 */
export function refreshMarginMs(cacheMs: number): number {
  return Math.min(cacheMs / 10, 5 * 60_000);
}

export interface CredentialsResolverDeps {
  /** Needed for `secret:` and `pullsecret:` sources. */
  configReader?: ConfigReader;
  /** The environment `env:` sources (and `ext:` scripts) see. */
  env: Record<string, string | undefined>;
  now?: () => number;
  extTimeoutMs?: number;
}

export interface ResolveOptions {
  /** Cache the result for this long (0 = forever); undefined = fetch every time (image pull secrets). */
  cacheMs?: number;
}

export class CredentialsResolver {
  private readonly cache = new Map<string, { creds: RegistryCredentials; expiresAt: number; refreshAt: number }>();
  private readonly inflight = new Map<string, Promise<RegistryCredentials>>();
  private readonly now: () => number;

  constructor(private readonly deps: CredentialsResolverDeps) {
    this.now = deps.now ?? Date.now;
  }

  async resolve(
    apiUrl: string,
    source: string | CredentialSource,
    options: ResolveOptions = {},
  ): Promise<RegistryCredentials> {
    const src = typeof source === 'string' ? parseCredentialSource(source, false) : source;
    const key = `${apiUrl}\n${formatCredentialSource(src)}`;
    const hit = options.cacheMs !== undefined ? this.cache.get(key) : undefined;
    if (hit && this.now() < hit.refreshAt) return hit.creds;
    try {
      return await this.fetchShared(key, apiUrl, src, options.cacheMs);
    } catch (e) {
      // refreshing ahead of the expiry failed: what is cached is still good until then
      if (hit && this.now() < hit.expiresAt) return hit.creds;
      throw e;
    }
  }

  private async fetchShared(
    key: string,
    apiUrl: string,
    src: CredentialSource,
    cacheMs: number | undefined,
  ): Promise<RegistryCredentials> {
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(apiUrl, src).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const creds = await pending;
    if (cacheMs !== undefined) {
      const fetchedAt = this.now();
      this.cache.set(key, {
        creds,
        expiresAt: cacheMs > 0 ? fetchedAt + cacheMs : Infinity,
        refreshAt: cacheMs > 0 ? fetchedAt + cacheMs - refreshMarginMs(cacheMs) : Infinity,
      });
    }
    return creds;
  }

  invalidate(apiUrl: string, source: string | CredentialSource): void {
    const src = typeof source === 'string' ? parseCredentialSource(source, false) : source;
    this.cache.delete(`${apiUrl}\n${formatCredentialSource(src)}`);
  }

  /** A provider for OciRegistryClient: cached per credsexpire, invalidated when the registry rejects it. */
  provider(apiUrl: string, source: string, cacheMs: number | undefined): CredentialProvider {
    return {
      get: () => this.resolve(apiUrl, source, { cacheMs }),
      invalidate: () => this.invalidate(apiUrl, source),
    };
  }

  private async fetch(apiUrl: string, src: CredentialSource): Promise<RegistryCredentials> {
    switch (src.type) {
      case 'env':
        return credentialsFromEnvValue(src.env!, this.deps.env[src.env!]);
      case 'secret':
        return credentialsFromSecretValue(src, await this.secretField(src, src.field!));
      case 'pullsecret':
        return dockerConfigAuth(await this.secretField(src, PULL_SECRET_FIELD), apiUrl);
      case 'ext':
        return this.runScript(src.path!);
    }
  }

  private async secretField(src: CredentialSource, field: string): Promise<string> {
    const where = `secret '${src.name}' from namespace '${src.namespace}' (field: '${field}')`;
    if (!this.deps.configReader) {
      throw new PermanentError('credentials.unavailable', `could not fetch ${where}: no Kubernetes client given`);
    }
    const data = await this.deps.configReader.readSecret(src.namespace!, src.name!);
    if (data === null)
      throw new PermanentError('credentials.unavailable', `could not fetch ${where}: secret not found`);
    const value = data[field];
    if (value === undefined)
      throw new PermanentError('credentials.unavailable', `could not fetch ${where}: field not found`);
    return value;
  }

  private async runScript(path: string): Promise<RegistryCredentials> {
    if (!path.startsWith('/')) {
      throw new PermanentError('credentials.invalid', `path to script must be absolute, but is '${path}'`);
    }
    try {
      await stat(path);
    } catch (e) {
      throw new PermanentError(
        'credentials.unavailable',
        `could not stat ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      );
    }
    const timeout = this.deps.extTimeoutMs ?? EXT_SCRIPT_TIMEOUT_MS;
    const env = Object.fromEntries(
      Object.entries(this.deps.env).filter((kv): kv is [string, string] => kv[1] !== undefined),
    );
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(path, [], { timeout, killSignal: 'SIGKILL', env, maxBuffer: 64 * 1024 }, (error, out) => {
        if (!error) return resolve(out);
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const why = e.killed
          ? `timed out after ${timeout} ms`
          : typeof e.code === 'number'
            ? `exit code ${e.code}`
            : String(e.code ?? e.message);
        reject(new TransientError('credentials.ext-failed', `error executing ${path}: ${why}`));
      });
    });
    return credentialsFromScriptOutput(path, stdout);
  }
}
