/**
 * What the forge stand-in (forge-server.ts) keeps in memory and shares between its GitHub and GitLab
 * routes: repositories (backed by real bare git repos of test/services/git-server.ts), tokens and
 * what each may do, GitHub Apps, pull/merge requests with their labels and comments, and the
 * requests it answered. Branch questions are asked of the bare repository with git itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { git } from './git-server.ts';

export type ForgeKind = 'github' | 'gitlab';

export interface ForgeRepo {
  provider: ForgeKind;
  /** `owner/repo` or `group/project`. */
  path: string;
  /** The bare repository (e.g. gitServer.repoDir(...)). */
  dir: string;
}

/** What a token may do: which repositories (`*` = every one) and whether it may write. */
export interface TokenGrant {
  repos: string[] | '*';
  write: boolean;
  /** Epoch ms after which the token is refused (installation tokens). */
  expiresAt?: number;
}

export interface ForgeApp {
  id: string;
  /** PEM public key of the app (its JWTs are verified with it). */
  publicKey: string;
  installations: Record<string, Omit<TokenGrant, 'expiresAt'>>;
}

export interface PullRecord {
  number: number;
  state: 'open' | 'closed';
  head: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  comments: string[];
  url: string;
  /** The head branch's commit when the pull request was opened or last updated. */
  headSha: string;
}

export interface ForgeRequest {
  method: string;
  path: string;
  status: number;
  /** The token or JWT used, shortened (never compared by tests: it tells requests apart). */
  auth: string | null;
}

export interface Fault {
  method?: string;
  pathRegex: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export class ForgeState {
  readonly repos = new Map<string, ForgeRepo>();
  readonly tokens = new Map<string, TokenGrant>();
  readonly apps = new Map<string, ForgeApp>();
  readonly pulls = new Map<string, PullRecord[]>();
  readonly requests: ForgeRequest[] = [];
  /** Installation tokens issued, in order. */
  readonly issued: { appId: string; installationId: string; token: string }[] = [];
  readonly faults: Fault[] = [];

  constructor(
    readonly url: () => string,
    readonly onIssued?: (token: string) => void,
  ) {}

  repo(provider: ForgeKind, path: string): ForgeRepo | undefined {
    const r = this.repos.get(path);
    return r && r.provider === provider ? r : undefined;
  }

  pullsOf(path: string): PullRecord[] {
    let list = this.pulls.get(path);
    if (!list) this.pulls.set(path, (list = []));
    return list;
  }

  /** A valid token's grant, or null (unknown or expired). */
  grant(token: string | null): TokenGrant | null {
    if (!token) return null;
    const g = this.tokens.get(token);
    if (!g || (g.expiresAt !== undefined && g.expiresAt < Date.now())) return null;
    return g;
  }

  sees(g: TokenGrant, path: string): boolean {
    return g.repos === '*' || g.repos.includes(path);
  }

  takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (!f.method || f.method === method) && f.pathRegex.test(path));
    return i >= 0 ? this.faults.splice(i, 1)[0] : undefined;
  }
}

/** The commit of `refs/heads/<branch>` in the bare repo, or null when there is no such branch. */
export async function branchSha(dir: string, branch: string): Promise<string | null> {
  try {
    return (await git(['--git-dir', dir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`])).trim();
  } catch {
    return null;
  }
}

export async function commitsBetween(dir: string, base: string, head: string): Promise<number> {
  return Number(
    (await git(['--git-dir', dir, 'rev-list', '--count', `refs/heads/${base}..refs/heads/${head}`])).trim(),
  );
}

export async function defaultBranchOf(dir: string): Promise<string> {
  return (await git(['--git-dir', dir, 'symbolic-ref', '--short', 'HEAD'])).trim();
}

export async function deleteBranch(dir: string, branch: string): Promise<void> {
  await git(['--git-dir', dir, 'update-ref', '-d', `refs/heads/${branch}`]);
}

export function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), ...headers }).end(text);
}

/** Sends and returns the status (route handlers return it for the request log). */
export function reply(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): number {
  send(res, status, body, headers);
  return status;
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export interface Route {
  method: string;
  /** Path segments; `:name` captures one (URL-decoded), `*name` the rest joined by '/'. */
  pattern: string[];
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    params: Record<string, string>,
    query: URLSearchParams,
  ): Promise<number>;
}

export function route(method: string, path: string, handle: Route['handle']): Route {
  return { method, pattern: path.split('/').filter(Boolean), handle };
}

export function match(r: Route, method: string, segments: string[]): Record<string, string> | null {
  if (r.method !== method) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < r.pattern.length; i++) {
    const p = r.pattern[i]!;
    if (p.startsWith('*')) {
      if (i >= segments.length) return null;
      params[p.slice(1)] = segments.slice(i).join('/');
      return params;
    }
    const s = segments[i];
    if (s === undefined) return null;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return null;
  }
  return segments.length === r.pattern.length ? params : null;
}
