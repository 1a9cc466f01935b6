/**
 * The GitHub REST API v3 routes of the forge stand-in, answering as GitHub documents: `Bearer` /
 * `token` auth (401 "Bad credentials"), 404 for a repository the token cannot see, 403 "Resource not
 * accessible" for a read-only token writing, 422 "Validation Failed" for a head branch missing from
 * the bare repository, no commits between base and head, or a duplicate open pull request. GitHub App
 * installation tokens are issued for a JWT whose RS256 signature verifies against the app's key.
 */
import { randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  branchSha,
  commitsBetween,
  defaultBranchOf,
  deleteBranch,
  readJson,
  route,
  reply,
  type ForgeRepo,
  type ForgeState,
  type PullRecord,
  type Route,
  type TokenGrant,
} from './forge-state.ts';

const BAD_CREDENTIALS = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401',
};
const NOT_FOUND = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
const FORBIDDEN = { message: 'Resource not accessible by personal access token', status: '403' };
const invalid = (errors: object[]) => ({ message: 'Validation Failed', errors, status: '422' });

function bearer(req: IncomingMessage): string | null {
  const m = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}

function pullJson(s: ForgeState, repo: ForgeRepo, p: PullRecord) {
  const owner = repo.path.split('/')[0]!;
  return {
    number: p.number,
    state: p.state,
    title: p.title,
    body: p.body,
    html_url: p.url,
    url: `${s.url()}/repos/${repo.path}/pulls/${p.number}`,
    labels: p.labels.map((name) => ({ name })),
    head: { ref: p.head, label: `${owner}:${p.head}`, sha: p.headSha, repo: { full_name: repo.path } },
    base: { ref: p.base, label: `${owner}:${p.base}`, repo: { full_name: repo.path } },
  };
}

type Handler = (
  ctx: { req: IncomingMessage; res: ServerResponse; repo: ForgeRepo; grant: TokenGrant; query: URLSearchParams },
  params: Record<string, string>,
) => Promise<number>;

/** A repository route: the token checked (401), the repository visible (404), write access for writes (403). */
function repoRoute(s: ForgeState, method: string, path: string, write: boolean, h: Handler): Route {
  return route(method, `/repos/:owner/:repo${path}`, async (req, res, params, query) => {
    const grant = s.grant(bearer(req));
    if (!grant) return reply(res, 401, BAD_CREDENTIALS);
    const repo = s.repo('github', `${params.owner}/${params.repo}`);
    if (!repo || !s.sees(grant, repo.path)) return reply(res, 404, NOT_FOUND);
    if (write && !grant.write) return reply(res, 403, FORBIDDEN);
    return h({ req, res, repo, grant, query }, params);
  });
}

function findPull(s: ForgeState, repo: ForgeRepo, n: string): PullRecord | undefined {
  return s.pullsOf(repo.path).find((p) => p.number === Number(n));
}

export function githubRoutes(s: ForgeState): Route[] {
  return [
    route('POST', '/app/installations/:id/access_tokens', async (req, res, params) => {
      const claims = verifyAppJwt(s, bearer(req));
      if ('error' in claims) return reply(res, 401, { message: claims.error, status: '401' });
      const grant = claims.app.installations[params.id!];
      if (!grant) return reply(res, 404, NOT_FOUND);
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      const expiresAt = Date.now() + 3600_000;
      s.tokens.set(token, { ...grant, expiresAt });
      s.issued.push({ appId: claims.app.id, installationId: params.id!, token });
      s.onIssued?.(token);
      const expires_at = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return reply(res, 201, { token, expires_at, permissions: { pull_requests: 'write', contents: 'write' } });
    }),
    repoRoute(s, 'GET', '', false, async ({ res, repo }) => {
      return reply(res, 200, { full_name: repo.path, default_branch: await defaultBranchOf(repo.dir) });
    }),
    repoRoute(s, 'GET', '/pulls', false, async ({ res, repo, query }) => {
      const state = query.get('state') ?? 'open';
      const base = query.get('base');
      const head = query.get('head');
      const perPage = Math.min(Number(query.get('per_page') ?? 30), 100);
      const page = Math.max(Number(query.get('page') ?? 1), 1);
      const all = s
        .pullsOf(repo.path)
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !base || p.base === base)
        .filter((p) => !head || `${repo.path.split('/')[0]}:${p.head}` === head)
        .sort((a, b) => b.number - a.number);
      return reply(
        res,
        200,
        all.slice((page - 1) * perPage, page * perPage).map((p) => pullJson(s, repo, p)),
      );
    }),
    repoRoute(s, 'POST', '/pulls', true, async ({ req, res, repo }) => {
      const b = await readJson(req);
      const [title, head, base] = [b?.title, b?.head, b?.base];
      if (typeof title !== 'string' || typeof head !== 'string' || typeof base !== 'string') {
        return reply(res, 422, invalid([{ resource: 'PullRequest', code: 'missing_field' }]));
      }
      const headSha = await branchSha(repo.dir, head);
      if (!headSha || !(await branchSha(repo.dir, base))) {
        return reply(
          res,
          422,
          invalid([{ resource: 'PullRequest', field: headSha ? 'base' : 'head', code: 'invalid' }]),
        );
      }
      const owner = repo.path.split('/')[0]!;
      if (s.pullsOf(repo.path).some((p) => p.state === 'open' && p.head === head && p.base === base)) {
        return reply(
          res,
          422,
          invalid([
            { resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${head}.` },
          ]),
        );
      }
      if ((await commitsBetween(repo.dir, base, head)) === 0) {
        return reply(
          res,
          422,
          invalid([{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }]),
        );
      }
      const list = s.pullsOf(repo.path);
      const number = list.length + 1;
      const body = typeof b?.body === 'string' ? b.body : '';
      const p: PullRecord = {
        number,
        state: 'open',
        head,
        base,
        title,
        body,
        labels: [],
        comments: [],
        url: `${s.url()}/${repo.path}/pull/${number}`,
        headSha,
      };
      list.push(p);
      return reply(res, 201, pullJson(s, repo, p));
    }),
    repoRoute(s, 'PATCH', '/pulls/:n', true, async ({ req, res, repo }, params) => {
      const p = findPull(s, repo, params.n!);
      if (!p) return reply(res, 404, NOT_FOUND);
      const b = (await readJson(req)) ?? {};
      if (typeof b.title === 'string') p.title = b.title;
      if (typeof b.body === 'string') p.body = b.body;
      if (b.state === 'closed' || b.state === 'open') p.state = b.state;
      p.headSha = (await branchSha(repo.dir, p.head)) ?? p.headSha;
      return reply(res, 200, pullJson(s, repo, p));
    }),
    repoRoute(s, 'POST', '/issues/:n/labels', true, async ({ req, res, repo }, params) => {
      const p = findPull(s, repo, params.n!);
      if (!p) return reply(res, 404, NOT_FOUND);
      const labels = (await readJson(req))?.labels;
      if (!Array.isArray(labels)) return reply(res, 422, invalid([{ resource: 'Label', code: 'invalid' }]));
      for (const l of labels) if (typeof l === 'string' && !p.labels.includes(l)) p.labels.push(l);
      return reply(
        res,
        200,
        p.labels.map((name) => ({ name })),
      );
    }),
    repoRoute(s, 'POST', '/issues/:n/comments', true, async ({ req, res, repo }, params) => {
      const p = findPull(s, repo, params.n!);
      if (!p) return reply(res, 404, NOT_FOUND);
      const body = (await readJson(req))?.body;
      if (typeof body !== 'string')
        return reply(res, 422, invalid([{ resource: 'IssueComment', code: 'missing_field' }]));
      p.comments.push(body);
      return reply(res, 201, { id: p.comments.length, body });
    }),
    repoRoute(s, 'DELETE', '/git/refs/heads/*branch', true, async ({ res, repo }, params) => {
      if (!(await branchSha(repo.dir, params.branch!))) {
        return reply(res, 422, { message: 'Reference does not exist', status: '422' });
      }
      await deleteBranch(repo.dir, params.branch!);
      return reply(res, 204);
    }),
  ];
}

/** GitHub's checks of an app JWT: RS256 signature by a known app (`iss`), not expired, `exp` at most 10 minutes ahead. */
function verifyAppJwt(
  s: ForgeState,
  jwt: string | null,
): { app: NonNullable<ReturnType<ForgeState['apps']['get']>> } | { error: string } {
  const undecodable = { error: 'A JSON web token could not be decoded' };
  const parts = jwt?.split('.');
  if (!parts || parts.length !== 3) return undecodable;
  let header: { alg?: string };
  let claims: { iat?: number; exp?: number; iss?: string | number };
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undecodable;
  }
  const app = s.apps.get(String(claims.iss ?? ''));
  if (header.alg !== 'RS256' || !app) return undecodable;
  const signed = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    app.publicKey,
    Buffer.from(parts[2]!, 'base64url'),
  );
  if (!signed) return undecodable;
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return undecodable;
  if (claims.exp <= now)
    return {
      error:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  if (claims.exp > now + 600 + 30) return { error: "'Expiration time' claim ('exp') is too far in the future" };
  if (claims.iat > now + 30)
    return {
      error: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  return { app };
}
