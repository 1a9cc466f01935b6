/**
 * A small, independent registry HTTP session for test fixtures (pushing and deleting), written on
 * node:http/https so it shares no code with the product's registry client. Answers Basic and
 * Bearer challenges with the target's first user (or explicit credentials).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RegistryTarget {
  /** http(s)://host:port of the registry (or of a proxy in front of it). */
  url: string;
  users?: Record<string, string>;
  caFile?: string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  ca?: Buffer,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = fn(
      url,
      { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, ca, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function challengeParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return params;
}

export class PushSession {
  private readonly base: URL;
  private readonly ca?: Buffer;
  private readonly basic?: string;
  private readonly tokens = new Map<string, string>();
  private authHeader?: string;

  constructor(target: RegistryTarget, credentials?: { username: string; password: string } | null) {
    this.base = new URL(target.url);
    this.ca = target.caFile ? readFileSync(target.caFile) : undefined;
    const first = Object.entries(target.users ?? {})[0];
    const creds = credentials === undefined ? (first ? { username: first[0], password: first[1] } : null) : credentials;
    if (creds) this.basic = 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
  }

  /** Sends a request (path or absolute URL), answering one auth challenge scoped to `repo`. */
  async request(
    method: string,
    pathOrUrl: string,
    repo: string,
    headers: Record<string, string> = {},
    body?: Buffer,
  ): Promise<RawResponse> {
    const url = new URL(pathOrUrl, this.base);
    const scope = `repository:${repo}:pull,push,delete`;
    const auth = this.tokens.get(scope) ?? this.authHeader;
    let res = await send(url, method, auth ? { ...headers, authorization: auth } : headers, body, this.ca);
    const challenge = String(res.headers['www-authenticate'] ?? '');
    if (res.status !== 401 || !challenge) return res;
    if (/^basic/i.test(challenge)) {
      if (!this.basic) return res;
      this.authHeader = this.basic;
    } else if (/^bearer/i.test(challenge)) {
      const token = await this.fetchToken(challengeParams(challenge), scope);
      this.tokens.set(scope, `Bearer ${token}`);
    } else {
      return res;
    }
    res = await send(
      url,
      method,
      { ...headers, authorization: this.tokens.get(scope) ?? this.authHeader! },
      body,
      this.ca,
    );
    return res;
  }

  private async fetchToken(params: Record<string, string>, scope: string): Promise<string> {
    const realm = new URL(params.realm ?? '');
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', scope);
    const res = await send(realm, 'GET', this.basic ? { authorization: this.basic } : {}, undefined, this.ca);
    if (res.status !== 200) throw new Error(`token request failed: HTTP ${res.status}`);
    const json = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new Error('token response without token');
    return token;
  }
}

/** Throws with status and (secret-free) body unless the status is one of `ok`. */
export function expectStatus(res: RawResponse, ok: number[], what: string): RawResponse {
  if (!ok.includes(res.status))
    throw new Error(`${what}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
  return res;
}
