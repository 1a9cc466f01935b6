/**
 * One registry endpoint's HTTP session: requests with a timeout each (http-transport.ts), request
 * counting, and the distribution auth flow. A 401 carries `WWW-Authenticate`: `Basic` → retry
 * with Basic credentials (and send them up front from then on); `Bearer realm,service,scope` →
 * get a token from the realm (Basic credentials if any, else anonymous), cache it per scope until
 * it expires, retry. Once the realm is known, tokens for other repositories are fetched before
 * the first request, saving a round trip.
 */
import { PermanentError, type TagflowError } from '../../errors.ts';
import type { RegistryCredentials } from '../../ports/registry-client.ts';
import type { RequestGate } from '../../ports/request-budget.ts';
import { describeRequest, errorForNetwork, errorForStatus } from './classify.ts';
import { parseChallenge } from './headers.ts';
import { send, type HeaderReader, type Transport } from './http-transport.ts';
import { describeIssues, TokenResponseSchema } from './schema.ts';

export type RequestKind = 'tags' | 'manifest' | 'blob' | 'token';

export interface RequestEvent {
  kind: RequestKind;
  method: string;
  /** host + path, no query */
  target: string;
  /** null when no HTTP answer was received */
  status: number | null;
  durationMs: number;
}

export interface RequestStats {
  requests: number;
  byKind: Record<RequestKind, number>;
}

/** Where credentials come from; `invalidate` lets a rejected cached value be refetched once. */
export interface CredentialProvider {
  get(): Promise<RegistryCredentials | null>;
  invalidate?(): void;
}

export interface SessionOptions {
  credentials?: RegistryCredentials | CredentialProvider | null;
  /** keep-alive agents with this endpoint's TLS trust (see http-transport.ts); the default ones otherwise */
  transport?: Transport;
  /** The registry's request budget: asked before every request, told every answer's throttling signals. */
  gate?: RequestGate;
  timeoutMs: number;
  maxBodyBytes: number;
  userAgent: string;
  onRequest?: (event: RequestEvent) => void;
}

export interface RawResponse {
  status: number;
  headers: HeaderReader;
  body: Buffer;
  url: URL;
}

type Auth = { kind: 'none' | 'basic' | 'bearer'; header?: string };

const TOKEN_EXPIRY_MARGIN_MS = 5_000;
/** Scopes asked in one token request (the URL stays short). */
const MAX_SCOPES_PER_TOKEN = 16;

export class RegistrySession {
  readonly stats: RequestStats = { requests: 0, byKind: { tags: 0, manifest: 0, blob: 0, token: 0 } };
  private readonly provider: CredentialProvider | null;
  private basicPreferred = false;
  private bearerRealm?: { realm: string; service?: string };
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  private readonly pendingTokens = new Map<string, Promise<string>>();
  /** Off once a token asked for several scopes was refused for one of them. */
  private batchScopes = true;
  private readonly batched = new Set<string>();

  constructor(private readonly options: SessionOptions) {
    const c = options.credentials;
    this.provider = !c ? null : 'get' in c ? c : { get: async () => c };
  }

  /**
   * Tokens for the repositories not covered yet, from one token request per 16 (`scope=` repeated,
   * as distribution's token protocol allows). Only once the realm is known; failures are ignored
   * (each request then gets its own token as before).
   */
  async prepare(repositories: readonly string[]): Promise<void> {
    if (!this.bearerRealm || !this.batchScopes) return;
    const now = Date.now();
    const scopes = [...new Set(repositories.map((r) => `repository:${r}:pull`))].filter(
      (s) => !this.pendingTokens.has(s) && !((this.tokens.get(s)?.expiresAt ?? 0) > now),
    );
    for (let i = 0; i + 1 < scopes.length; i += MAX_SCOPES_PER_TOKEN) {
      const part = scopes.slice(i, i + MAX_SCOPES_PER_TOKEN);
      if (part.length < 2) break;
      const p = this.fetchToken(part, part);
      for (const s of part) this.pendingTokens.set(s, p);
      try {
        await p;
        for (const s of part) this.batched.add(s);
      } catch {
        // asked again one by one when used
      } finally {
        for (const s of part) if (this.pendingTokens.get(s) === p) this.pendingTokens.delete(s);
      }
    }
  }

  /** Sends a request for `repository`, answering auth challenges. Any status is returned. */
  async request(
    kind: RequestKind,
    method: string,
    url: URL,
    repository: string,
    headers: Record<string, string> = {},
    /** The job asking (its budget waits may step aside); none for the CLI's and token requests. */
    job?: string,
  ): Promise<RawResponse> {
    const scope = `repository:${repository}:pull`;
    let retries = 0;
    let invalidated = false;
    for (;;) {
      const auth = await this.authorization(scope);
      const res = await this.send(
        kind,
        method,
        url,
        auth.header ? { ...headers, authorization: auth.header } : headers,
        job,
      );
      if (res.status !== 401 || retries >= 3) return res;
      if (auth.kind === 'bearer' && this.batched.has(scope)) {
        // a token for several scopes did not cover this one: one scope per token from now on
        this.batchScopes = false;
        this.batched.clear();
      }
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      if (retries > 0 && auth.kind !== 'none') {
        // what we sent after a challenge was rejected; a cached credential may be stale: refetch it once
        if (invalidated || !this.provider?.invalidate) return res;
        this.provider.invalidate();
        invalidated = true;
      }
      if (challenge?.scheme === 'basic') {
        if (!(await this.credentials())) return res;
        this.basicPreferred = true;
      } else if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        this.bearerRealm = { realm: challenge.params.realm, service: challenge.params.service };
        this.tokens.delete(scope);
        try {
          await this.token(scope, challenge.params.scope ?? scope);
        } catch (e) {
          if (
            !(e instanceof PermanentError && e.code === 'registry.unauthorized') ||
            invalidated ||
            !this.provider?.invalidate
          )
            throw e;
          this.provider.invalidate();
          invalidated = true;
          await this.token(scope, challenge.params.scope ?? scope);
        }
      } else {
        return res;
      }
      retries++;
    }
  }

  private async authorization(scope: string): Promise<Auth> {
    if (this.bearerRealm) {
      const cached = this.tokens.get(scope);
      const value = cached && cached.expiresAt > Date.now() ? cached.value : await this.token(scope, scope);
      return { kind: 'bearer', header: `Bearer ${value}` };
    }
    if (this.basicPreferred) {
      const creds = await this.credentials();
      if (creds) return { kind: 'basic', header: basicHeader(creds) };
    }
    return { kind: 'none' };
  }

  private async credentials(): Promise<RegistryCredentials | null> {
    return this.provider ? this.provider.get() : null;
  }

  /** A token for `scope` (one request at a time per scope), asking the realm for `requestScope`. */
  private token(scope: string, requestScope: string): Promise<string> {
    const pending = this.pendingTokens.get(scope);
    if (pending) return pending;
    const p = this.fetchToken([scope], [requestScope]).finally(() => this.pendingTokens.delete(scope));
    this.pendingTokens.set(scope, p);
    return p;
  }

  /** One token request for `requestScopes`; the token is cached under each of `scopes`. */
  private async fetchToken(scopes: readonly string[], requestScopes: readonly string[]): Promise<string> {
    const { realm, service } = this.bearerRealm!;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new PermanentError('registry.bad-response', `the registry announced an invalid token realm`);
    }
    if (service) url.searchParams.set('service', service);
    for (const s of requestScopes) if (s) url.searchParams.append('scope', s);
    const creds = await this.credentials();
    const res = await this.send('token', 'GET', url, creds ? { authorization: basicHeader(creds) } : {});
    if (res.status < 200 || res.status > 299) {
      const err: TagflowError = errorForStatus(
        res.status,
        `token request ${describeRequest('GET', url)}`,
        res.headers,
        res.body.toString('utf8'),
      );
      if (res.status === 403) throw new PermanentError('registry.unauthorized', err.message);
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new PermanentError('registry.bad-response', `token response from ${url.host}${url.pathname} is not JSON`);
    }
    const parsed = TokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new PermanentError(
        'registry.bad-response',
        `token response from ${url.host}${url.pathname}: ${describeIssues(parsed.error)}`,
      );
    }
    const value = (parsed.data.token ?? parsed.data.access_token)!;
    const lifetimeMs = (parsed.data.expires_in ?? 60) * 1000;
    const expiresAt = Date.now() + Math.max(1000, lifetimeMs - TOKEN_EXPIRY_MARGIN_MS);
    for (const scope of scopes) this.tokens.set(scope, { value, expiresAt });
    return value;
  }

  private async send(
    kind: RequestKind,
    method: string,
    url: URL,
    headers: Record<string, string>,
    job?: string,
  ): Promise<RawResponse> {
    const release = this.options.gate ? await this.options.gate.acquire(job) : undefined;
    this.stats.requests++;
    this.stats.byKind[kind]++;
    const started = Date.now();
    const target = `${url.host}${url.pathname}`;
    const what = describeRequest(method, url);
    let status: number | null = null;
    try {
      const limit = this.options.maxBodyBytes;
      const res = await send(url, {
        method,
        headers: { 'user-agent': this.options.userAgent, ...headers },
        timeoutMs: this.options.timeoutMs,
        maxBodyBytes: limit,
        tooLarge: () => new PermanentError('registry.bad-response', `${what}: response larger than ${limit} bytes`),
        transport: this.options.transport,
      });
      status = res.status;
      this.options.gate?.observe(res.status, res.headers);
      return res;
    } catch (e) {
      throw errorForNetwork(e, what, this.options.timeoutMs);
    } finally {
      release?.();
      this.options.onRequest?.({ kind, method, target, status, durationMs: Date.now() - started });
    }
  }
}

function basicHeader(c: RegistryCredentials): string {
  return 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');
}
