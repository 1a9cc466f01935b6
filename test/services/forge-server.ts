/**
 * A GitHub + GitLab REST API stand-in for tests (the one thing besides the Kubernetes API that is
 * not a real service): one node:http server with GitHub's paths at its root (the API base for
 * `TAGFLOW_GITHUB_API_URL` or a GitHub App `githubAppEnterpriseBaseUrl`) and GitLab's under
 * `/api/v4` (`gitlabApiUrl`). Pull/merge requests live in memory; branches are those of the real bare
 * repositories served by test/services/git-server.ts.
 *
 *   const forge = await startForgeServer();
 *   forge.addRepo('github', 'acme/app', gitServer.repoDir('acme/app'));
 *   forge.grantToken('s3cret', { repos: ['acme/app'], write: true });
 *   forge.pulls('acme/app');                    // every pull request, with labels and comments
 *   forge.failNext({ pathRegex: /\/pulls$/, status: 503 });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { githubRoutes } from './forge-github.ts';
import { gitlabRoutes } from './forge-gitlab.ts';
import {
  ForgeState,
  match,
  send,
  type Fault,
  type ForgeApp,
  type ForgeKind,
  type ForgeRequest,
  type PullRecord,
  type TokenGrant,
} from './forge-state.ts';

export type { ForgeApp, ForgeRequest, PullRecord, TokenGrant } from './forge-state.ts';

export interface ForgeServer {
  /** The GitHub API base. */
  url: string;
  /** The GitLab API base (`<url>/api/v4`). */
  gitlabApiUrl: string;
  addRepo(provider: ForgeKind, path: string, bareDir: string): void;
  removeRepo(path: string): void;
  grantToken(token: string, grant: TokenGrant): void;
  revokeToken(token: string): void;
  addApp(app: ForgeApp): void;
  /** Pull/merge requests of a repository, oldest first (live objects). */
  pulls(path: string): PullRecord[];
  /** Installation tokens issued so far. */
  readonly issued: readonly { appId: string; installationId: string; token: string }[];
  readonly requests: readonly ForgeRequest[];
  /** The next request matching answers `status` instead (once). */
  failNext(fault: Fault): void;
  close(): Promise<void>;
}

export interface ForgeServerOptions {
  /** Called with every installation token issued (e.g. to let a git server accept it as a password). */
  onTokenIssued?: (token: string) => void;
}

export async function startForgeServer(o: ForgeServerOptions = {}): Promise<ForgeServer> {
  let base = '';
  const state = new ForgeState(() => base, o.onTokenIssued);
  const routes = [...githubRoutes(state), ...gitlabRoutes(state)];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const auth = req.headers['private-token'] ?? req.headers.authorization ?? null;
    const record: ForgeRequest = {
      method,
      path: url.pathname,
      status: 0,
      auth: typeof auth === 'string' ? auth.slice(-12) : null,
    };
    state.requests.push(record);
    const fault = state.takeFault(method, url.pathname);
    if (fault) {
      req.resume();
      send(res, fault.status, fault.body ?? { message: `injected ${fault.status}` }, fault.headers);
      record.status = fault.status;
      return;
    }
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    for (const r of routes) {
      const params = match(r, method, segments);
      if (params) {
        record.status = await r.handle(req, res, params, url.searchParams);
        return;
      }
    }
    req.resume();
    send(res, 404, { message: 'Not Found' });
    record.status = 404;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { message: `forge stand-in failed: ${String(e)}` });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    gitlabApiUrl: `${base}/api/v4`,
    addRepo: (provider, path, dir) => void state.repos.set(path, { provider, path, dir }),
    removeRepo: (path) => void state.repos.delete(path),
    grantToken: (token, grant) => void state.tokens.set(token, grant),
    revokeToken: (token) => void state.tokens.delete(token),
    addApp: (app) => void state.apps.set(app.id, app),
    pulls: (path) => state.pullsOf(path),
    issued: state.issued,
    requests: state.requests,
    failNext: (fault) => void state.faults.push(fault),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
