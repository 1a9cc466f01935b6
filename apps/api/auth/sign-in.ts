/** The dashboard's sign-in page: takes the API token once and keeps a signed session in a cookie. */
import type { IncomingMessage } from 'node:http';
import { esc } from '../escape.ts';
import type { Route } from '../main.ts';
import { NO_TOKEN_LINE, type ApiAuth } from './guard.ts';
import { overHttps, readForm, redirect, sameOrigin, sendHtml, sendText } from './http.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from './session.ts';
import { SignInThrottle } from './throttle.ts';

/** Only a path of this server (never `//other.example` or a scheme). */
function safeNext(next: string | null): string {
  return next && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/dashboard';
}

function cookie(req: IncomingMessage, value: string, maxAgeS: number): string {
  const secure = overHttps(req) ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

function page(next: string, problem?: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · tagflow</title>
<link rel="stylesheet" href="/dashboard/style.css"></head><body class="signin"><main>
<h1>tagflow</h1>${problem ? `<p class="error" role="alert">${esc(problem)}</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="next" value="${esc(next)}">
<label for="token">API token</label><input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form>
<p class="hint">The token of TAGFLOW_API_TOKEN or --api-token-file.</p></main></body></html>`;
}

export function signInRoutes(auth: ApiAuth, throttle = new SignInThrottle()): Route[] {
  return [
    {
      method: 'GET',
      path: '/login',
      handle(_req, res, url) {
        if (!auth.configured) return sendText(res, 401, `${NO_TOKEN_LINE}\n`);
        sendHtml(res, 200, page(safeNext(url.searchParams.get('next'))));
      },
    },
    {
      method: 'POST',
      path: '/login',
      async handle(req, res) {
        if (!auth.configured) return sendText(res, 401, `${NO_TOKEN_LINE}\n`);
        if (!sameOrigin(req)) return sendText(res, 403, 'forbidden: cross-site request refused\n');
        const form = await readForm(req);
        if (!form) return sendText(res, 413, 'request body too large\n');
        const next = safeNext(form.get('next'));
        const client = req.socket.remoteAddress ?? '?';
        const wait = throttle.retryAfterS(client);
        if (wait > 0)
          return void res
            .writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(wait) })
            .end(`too many wrong tokens from this address: try again in ${wait} s\n`);
        const signed = auth.signIn(form.get('token') ?? '');
        if (!signed) {
          throttle.failed(client);
          return sendHtml(res, 401, page(next, 'Wrong token.'));
        }
        redirect(res, next, { 'set-cookie': cookie(req, signed.cookie, Math.floor(SESSION_TTL_MS / 1000)) });
      },
    },
    {
      method: 'POST',
      path: '/logout',
      handle(req, res) {
        if (!sameOrigin(req)) return sendText(res, 403, 'forbidden: cross-site request refused\n');
        redirect(res, '/login', { 'set-cookie': cookie(req, '', 0) });
      },
    },
    { method: 'GET', path: '/', handle: (_req, res) => redirect(res, '/dashboard') },
  ];
}
