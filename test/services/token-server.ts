/**
 * An in-process registry token server compatible with distribution 2.8 `auth.token`
 * (the Docker Hub / GHCR / ACR flow). Signs RS256 JWTs with an `x5c` header; `aud` is the service
 * as a string (an array is rejected by 2.8). Supports the GET form (Basic auth) and the POST
 * form (`grant_type=password`). node:crypto and node:http only.
 */
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServerOptions {
  issuer: string;
  service: string;
  keyFile: string;
  certFile: string;
  users: Record<string, string>;
  /** Anonymous callers get `pull` (otherwise an anonymous token carries no access, like Docker Hub). */
  anonymousPull?: boolean;
  ttlSeconds?: number;
  port?: number;
}

export interface TokenRequestRecord {
  method: string;
  user: string | null;
  scopes: string[];
}

export interface TokenServer {
  /** The realm to put in the registry config, e.g. http://127.0.0.1:PORT/token */
  realm: string;
  /** Every token request served (including rejected ones), for assertions on caching. */
  requests: TokenRequestRecord[];
  stop(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:demo/app:pull,push` → { type, name, actions }; the name may itself contain ':' (host:port). */
export function parseScope(scope: string): Access | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last <= first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(await readFile(options.keyFile));
  const certDer = new X509Certificate(await readFile(options.certFile)).raw.toString('base64');
  const ttl = options.ttlSeconds ?? 300;
  const requests: TokenRequestRecord[] = [];

  function signToken(subject: string, access: Access[]): string {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [certDer] }));
    const claims = b64url(
      JSON.stringify({
        iss: options.issuer,
        sub: subject,
        aud: options.service,
        exp: now + ttl,
        nbf: now - 5,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), key);
    return `${header}.${claims}.${b64url(signature)}`;
  }

  function grant(user: string | null, scopes: string[]): Access[] {
    const allowed = user !== null ? null : options.anonymousPull ? new Set(['pull']) : new Set<string>();
    return scopes
      .map(parseScope)
      .filter((a): a is Access => a !== null)
      .map((a) => ({ ...a, actions: allowed ? a.actions.filter((x) => allowed.has(x)) : a.actions }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let username: string | undefined;
    let password: string | undefined;
    let scopes = url.searchParams
      .getAll('scope')
      .flatMap((s) => s.split(' '))
      .filter(Boolean);
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      [username, password] = i < 0 ? [decoded, ''] : [decoded.slice(0, i), decoded.slice(i + 1)];
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('grant_type') !== 'password') return reply(res, 400, { error: 'unsupported_grant_type' });
      username = form.get('username') ?? undefined;
      password = form.get('password') ?? '';
      scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    } else if (req.method !== 'GET') {
      return reply(res, 405, { error: 'method not allowed' });
    }
    const known =
      username !== undefined && Object.hasOwn(options.users, username) && options.users[username] === password;
    requests.push({ method: req.method, user: username ?? null, scopes });
    if (username !== undefined && !known)
      return reply(res, 401, { error: 'invalid_grant', details: 'authentication failed' });
    const token = signToken(username ?? '', grant(known ? username! : null, scopes));
    reply(res, 200, { token, access_token: token, expires_in: ttl, issued_at: new Date().toISOString() });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => reply(res, 500, { error: String(e) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
