/**
 * The GitLab REST API v4 routes of the forge stand-in (under /api/v4), answering as GitLab
 * documents: `PRIVATE-TOKEN` (or `Bearer`) auth with 401 "401 Unauthorized", 404 "404 Project Not
 * Found" for a project the token cannot see (its id is the URL-encoded path), 403 "403 Forbidden"
 * for a read-only token writing, 409 for a second open merge request of a source branch, 422 for a
 * source branch missing from the bare repository. Labels are set at creation (comma-separated).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  branchSha,
  defaultBranchOf,
  deleteBranch,
  readJson,
  reply,
  route,
  type ForgeRepo,
  type ForgeState,
  type PullRecord,
  type Route,
} from './forge-state.ts';

const UNAUTHORIZED = { message: '401 Unauthorized' };
const NOT_FOUND = { message: '404 Project Not Found' };
const FORBIDDEN = { message: '403 Forbidden' };

function tokenOf(req: IncomingMessage): string | null {
  const t = req.headers['private-token'];
  if (typeof t === 'string' && t !== '') return t;
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? m[1]! : null;
}

function mrJson(repo: ForgeRepo, p: PullRecord) {
  return {
    id: p.number + 1000,
    iid: p.number,
    project_id: 1,
    state: p.state === 'open' ? 'opened' : 'closed',
    title: p.title,
    description: p.body,
    web_url: p.url,
    source_branch: p.head,
    target_branch: p.base,
    labels: p.labels,
    sha: p.headSha,
    references: { full: `${repo.path}!${p.number}` },
  };
}

type Handler = (
  ctx: { req: IncomingMessage; res: ServerResponse; repo: ForgeRepo; query: URLSearchParams },
  params: Record<string, string>,
) => Promise<number>;

function projectRoute(s: ForgeState, method: string, path: string, write: boolean, h: Handler): Route {
  return route(method, `/api/v4/projects/:id${path}`, async (req, res, params, query) => {
    const grant = s.grant(tokenOf(req));
    if (!grant) return reply(res, 401, UNAUTHORIZED);
    const repo = s.repo('gitlab', params.id!);
    if (!repo || !s.sees(grant, repo.path)) return reply(res, 404, NOT_FOUND);
    if (write && !grant.write) return reply(res, 403, FORBIDDEN);
    return h({ req, res, repo, query }, params);
  });
}

export function gitlabRoutes(s: ForgeState): Route[] {
  const find = (repo: ForgeRepo, iid: string) => s.pullsOf(repo.path).find((p) => p.number === Number(iid));
  return [
    projectRoute(s, 'GET', '', false, async ({ res, repo }) =>
      reply(res, 200, { id: 1, path_with_namespace: repo.path, default_branch: await defaultBranchOf(repo.dir) }),
    ),
    projectRoute(s, 'GET', '/merge_requests', false, async ({ res, repo, query }) => {
      const state = query.get('state') ?? 'all';
      const perPage = Math.min(Number(query.get('per_page') ?? 20), 100);
      const page = Math.max(Number(query.get('page') ?? 1), 1);
      const all = s
        .pullsOf(repo.path)
        .filter((p) => state === 'all' || (state === 'opened' ? p.state === 'open' : p.state === 'closed'))
        .filter((p) => !query.get('target_branch') || p.base === query.get('target_branch'))
        .filter((p) => !query.get('source_branch') || p.head === query.get('source_branch'))
        .sort((a, b) => b.number - a.number);
      const next = all.length > page * perPage ? String(page + 1) : '';
      return reply(
        res,
        200,
        all.slice((page - 1) * perPage, page * perPage).map((p) => mrJson(repo, p)),
        { 'x-next-page': next, 'x-total': String(all.length) },
      );
    }),
    projectRoute(s, 'POST', '/merge_requests', true, async ({ req, res, repo }) => {
      const b = await readJson(req);
      const [head, base, title] = [b?.source_branch, b?.target_branch, b?.title];
      if (typeof head !== 'string' || typeof base !== 'string' || typeof title !== 'string')
        return reply(res, 400, { error: 'source_branch, target_branch, title are missing' });
      const headSha = await branchSha(repo.dir, head);
      if (!headSha) return reply(res, 422, { message: [`Source branch "${head}" does not exist`] });
      if (!(await branchSha(repo.dir, base)))
        return reply(res, 422, { message: [`Target branch "${base}" does not exist`] });
      const list = s.pullsOf(repo.path);
      const dup = list.find((p) => p.state === 'open' && p.head === head && p.base === base);
      if (dup)
        return reply(res, 409, {
          message: [`Another open merge request already exists for this source branch: !${dup.number}`],
        });
      const number = list.length + 1;
      const labels = typeof b?.labels === 'string' ? b.labels.split(',').filter((l) => l !== '') : [];
      const body = typeof b?.description === 'string' ? b.description : '';
      const url = `${s.url()}/${repo.path}/-/merge_requests/${number}`;
      const p: PullRecord = { number, state: 'open', head, base, title, body, labels, comments: [], url, headSha };
      list.push(p);
      return reply(res, 201, mrJson(repo, p));
    }),
    projectRoute(s, 'PUT', '/merge_requests/:iid', true, async ({ req, res, repo }, params) => {
      const p = find(repo, params.iid!);
      if (!p) return reply(res, 404, { message: '404 Not found' });
      const b = (await readJson(req)) ?? {};
      if (typeof b.title === 'string') p.title = b.title;
      if (typeof b.description === 'string') p.body = b.description;
      if (b.state_event === 'close') p.state = 'closed';
      if (b.state_event === 'reopen') p.state = 'open';
      p.headSha = (await branchSha(repo.dir, p.head)) ?? p.headSha;
      return reply(res, 200, mrJson(repo, p));
    }),
    projectRoute(s, 'POST', '/merge_requests/:iid/notes', true, async ({ req, res, repo }, params) => {
      const p = find(repo, params.iid!);
      if (!p) return reply(res, 404, { message: '404 Not found' });
      const body = (await readJson(req))?.body;
      if (typeof body !== 'string') return reply(res, 400, { error: 'body is missing' });
      p.comments.push(body);
      return reply(res, 201, { id: p.comments.length, body });
    }),
    projectRoute(s, 'DELETE', '/repository/branches/:branch', true, async ({ res, repo }, params) => {
      if (!(await branchSha(repo.dir, params.branch!))) return reply(res, 404, { message: '404 Branch Not Found' });
      await deleteBranch(repo.dir, params.branch!);
      return reply(res, 204);
    }),
  ];
}
