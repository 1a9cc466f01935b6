/** The dashboard's pages (GET, signed in) and its two actions (POST, session + CSRF + same origin). */
import { queryAudit } from '../../../shared/audit/audit-query.ts';
import { QUEUE, type QueueName } from '../../../shared/jobs/queues.ts';
import { protect, protectAction, type ApiAuth, type Principal } from '../auth/guard.ts';
import { redirect, sendHtml, sendText } from '../auth/http.ts';
import type { Route } from '../main.ts';
import { appBody } from './app-page.ts';
import type { DashboardDeps } from './deps.ts';
import { fleetPage, fleetRow } from './fleet-data.ts';
import { fleetBody } from './fleet-page.ts';
import { CSS, html, layout, type Html } from './html.ts';
import { ParamError, readParams } from './params.ts';
import { queuesBody, registriesBody, webhooksBody } from './status-pages.ts';

const QUEUES = Object.values(QUEUE) as QueueName[];
const FAILED_PER_QUEUE = 50;

const csrfOf = (who: Principal) => (who.via === 'session' ? who.session.csrf : undefined);

function page(
  d: DashboardDeps,
  auth: ApiAuth,
  path: string,
  title: string,
  body: (url: URL, who: Principal) => Promise<Html>,
): Route {
  return protect(auth, {
    method: 'GET',
    path,
    kind: 'page',
    async handle(_req, res, url, who) {
      try {
        const b = await body(url, who);
        sendHtml(res, 200, layout({ title, active: path, csrf: csrfOf(who), body: b }));
      } catch (e) {
        if (!(e instanceof ParamError)) throw e;
        sendHtml(res, 400, layout({ title, active: path, body: html`<p class="error">${e.message}</p>` }));
      }
    },
  });
}

const ACTION = /^\/dashboard\/queues\/([a-z-]+)\/jobs\/([^/]+)\/(retry|remove)$/;

export function pageRoutes(d: DashboardDeps, auth: ApiAuth): Route[] {
  return [
    {
      method: 'GET',
      path: '/dashboard/style.css',
      handle: (_req, res) =>
        void res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }).end(CSS),
    },
    page(d, auth, '/dashboard', 'Fleet', async (url) => {
      const p = readParams(url, { cursor: 'app' });
      return fleetBody(await fleetPage(d, p), p, d.controlPlanes);
    }),
    page(d, auth, '/dashboard/app', 'Application', async (url) => {
      const p = readParams(url, { cursor: 'record' });
      const key = url.searchParams.get('key') ?? '';
      if (!/^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(key))
        throw new ParamError('key: expected <control plane>/<namespace>/<name>');
      const [entries, counters, recent, timeline] = await Promise.all([
        d.index.getMany([key]),
        d.ledger.results([key]),
        d.audit.query({ app: key, limit: 30 }),
        queryAudit(d, { app: key, limit: p.limit, ...(p.cursor ? { cursor: p.cursor } : {}) }),
      ]);
      const entry = entries.get(key);
      return appBody({
        key,
        entry,
        row: fleetRow(key, entry, counters.get(key), recent),
        records: timeline.records,
        ...(timeline.next ? { next: timeline.next } : {}),
        ...(p.cursor ? { cursor: p.cursor } : {}),
      });
    }),
    page(d, auth, '/dashboard/queues', 'Queues', async (url, who) => {
      const [counts, failed] = await Promise.all([
        d.queues.counts(),
        Promise.all(QUEUES.map((q) => d.queues.failed(q, { offset: 0, limit: FAILED_PER_QUEUE }))),
      ]);
      const done = url.searchParams.get('done');
      const notice =
        done && /^(retried|removed) [a-z-]+\/[^\s]{1,200}$/.test(done)
          ? `Job ${done.split(' ')[1]} ${done.split(' ')[0]}.`
          : undefined;
      return queuesBody({ counts, failed: failed.flat(), csrf: csrfOf(who), ...(notice ? { notice } : {}) });
    }),
    page(d, auth, '/dashboard/registries', 'Registry budgets', async () => registriesBody(await d.budgets())),
    page(d, auth, '/dashboard/webhooks', 'Webhook events', async () =>
      webhooksBody((await queryAudit(d, { kind: 'webhook', limit: 100 })).records),
    ),
    protectAction(auth, {
      path: ACTION,
      async handle(_req, res, url) {
        const [, queue, rawId, what] = ACTION.exec(url.pathname)!;
        const id = decodeURIComponent(rawId!);
        if (!(QUEUES as string[]).includes(queue!)) return sendText(res, 404, `unknown queue "${queue}"\n`);
        const q = queue as QueueName;
        const ok = what === 'retry' ? await d.queues.retry(q, id) : await d.queues.remove(q, id);
        if (!ok) return sendText(res, 404, `no failed job ${id} in queue ${q}\n`);
        redirect(
          res,
          `/dashboard/queues?done=${encodeURIComponent(`${what === 'retry' ? 'retried' : 'removed'} ${q}/${id}`)}`,
        );
      },
    }),
  ];
}
