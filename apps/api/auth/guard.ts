/**
 * Who may use the dashboard and the JSON API: a request carrying `Authorization: Bearer <token>`
 * or a signed-in session cookie. Health, metrics and webhooks are not wrapped (they carry their own
 * secrets). With no token configured every protected route answers 401 saying how to set one, so
 * nothing is open by default. State-changing actions need a session, a same-origin request and the
 * session's CSRF token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Route } from '../main.ts';
import { cookies, readForm, redirect, sameOrigin, sendText } from './http.ts';
import { sameSecret } from '../../../shared/domain/same-secret.ts';
import { SESSION_COOKIE, SessionSigner, type Session } from './session.ts';

export const NO_TOKEN_LINE =
  'no API token is configured: set TAGFLOW_API_TOKEN or pass --api-token-file <file> to `tagflow run` to enable the dashboard and the API';

export type Principal = { via: 'bearer' } | { via: 'session'; session: Session };

export interface ApiAuth {
  readonly configured: boolean;
  identify(req: IncomingMessage): Principal | null;
  /** A session for the right token, else null. */
  signIn(token: string): { cookie: string; session: Session } | null;
}

export function createApiAuth(token: string | undefined): ApiAuth {
  if (!token) return { configured: false, identify: () => null, signIn: () => null };
  const signer = new SessionSigner(token);
  return {
    configured: true,
    identify(req) {
      const h = req.headers.authorization;
      if (h !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
        return m && sameSecret(m[1]!, token) ? { via: 'bearer' } : null;
      }
      const session = signer.verify(cookies(req).get(SESSION_COOKIE));
      return session ? { via: 'session', session } : null;
    },
    signIn(given) {
      if (!sameSecret(given.trim(), token)) return null;
      const { value, session } = signer.issue();
      return { cookie: value, session };
    },
  };
}

export interface ProtectedRoute {
  method?: string;
  path: string | RegExp;
  /** `page`: a browser page (signed-out users are sent to the sign-in page); `api`: 401. */
  kind: 'page' | 'api';
  handle(req: IncomingMessage, res: ServerResponse, url: URL, who: Principal): void | Promise<void>;
}

function refuse(auth: ApiAuth, kind: 'page' | 'api', req: IncomingMessage, res: ServerResponse, url: URL) {
  if (!auth.configured) return sendText(res, 401, `${NO_TOKEN_LINE}\n`);
  if (kind === 'page' && req.method === 'GET' && req.headers.authorization === undefined)
    return redirect(res, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  sendText(res, 401, 'unauthorized: send Authorization: Bearer <token> or sign in at /login\n', {
    'www-authenticate': 'Bearer realm="tagflow"',
  });
}

/** The route, answering only requests with the token or a session. */
export function protect(auth: ApiAuth, r: ProtectedRoute): Route {
  return {
    ...(r.method ? { method: r.method } : {}),
    path: r.path,
    handle(req, res, url) {
      const who = auth.identify(req);
      if (!who) return refuse(auth, r.kind, req, res, url);
      return r.handle(req, res, url, who);
    },
  };
}

/** A built-in route (e.g. GET /api/v1/registries) behind the same check as the API. */
export function protectApi(auth: ApiAuth, route: Route): Route {
  return protect(auth, { ...route, kind: 'api', handle: (req, res, url) => route.handle(req, res, url) });
}

export interface ActionRoute {
  path: string | RegExp;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, form: URLSearchParams): void | Promise<void>;
}

/**
 * A state-changing POST: only from a signed-in session (not a bare bearer token), only from our own
 * origin, and only with the session's CSRF token (form field `csrf` or header `X-CSRF-Token`).
 */
export function protectAction(auth: ApiAuth, r: ActionRoute): Route {
  return {
    method: 'POST',
    path: r.path,
    async handle(req, res, url) {
      if (!auth.configured) return sendText(res, 401, `${NO_TOKEN_LINE}\n`);
      const who = auth.identify(req);
      if (!who || who.via !== 'session') return sendText(res, 401, 'unauthorized: sign in at /login first\n');
      if (!sameOrigin(req)) return sendText(res, 403, 'forbidden: cross-site request refused\n');
      const form = await readForm(req);
      if (!form) return sendText(res, 413, 'request body too large\n');
      const header = req.headers['x-csrf-token'];
      const csrf = form.get('csrf') ?? (Array.isArray(header) ? header[0] : header) ?? '';
      if (!sameSecret(csrf, who.session.csrf)) return sendText(res, 403, 'forbidden: missing or wrong CSRF token\n');
      return r.handle(req, res, url, form);
    },
  };
}
