/** `GET /api/v1/audit`, `/api/v1/apps`, `/api/v1/queues`: JSON, the same data as `tagflow audit` / `tagflow queues`. */
import { queryAudit } from '../../../shared/audit/audit-query.ts';
import { QUEUE, type QueueName } from '../../../shared/jobs/queues.ts';
import { protect, type ApiAuth } from '../auth/guard.ts';
import { sendJson } from '../auth/http.ts';
import type { Route } from '../main.ts';
import type { DashboardDeps } from './deps.ts';
import { fleetPage } from './fleet-data.ts';
import { redact } from './html.ts';
import { ParamError, readParams } from './params.ts';

const QUEUES = Object.values(QUEUE) as QueueName[];

/** Payloads carry identities only; a repository URL with credentials in it is still masked. */
export function redactData(data: unknown): unknown {
  try {
    return JSON.parse(redact(JSON.stringify(data ?? null))) as unknown;
  } catch {
    return '(payload not shown)';
  }
}

/** Runs `fn`, answering 400 with the message of a bad parameter. */
export async function withParams(res: Parameters<Route['handle']>[1], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ParamError) return sendJson(res, 400, { error: e.message });
    throw e;
  }
}

export function apiRoutes(d: DashboardDeps, auth: ApiAuth): Route[] {
  return [
    protect(auth, {
      method: 'GET',
      path: '/api/v1/audit',
      kind: 'api',
      handle: (_req, res, url) =>
        withParams(res, async () => {
          const p = readParams(url, { cursor: 'record' });
          const page = await queryAudit(d, { ...p, limit: p.limit });
          sendJson(res, 200, page);
        }),
    }),
    protect(auth, {
      method: 'GET',
      path: '/api/v1/apps',
      kind: 'api',
      handle: (_req, res, url) =>
        withParams(res, async () => {
          const p = readParams(url, { cursor: 'app' });
          sendJson(res, 200, await fleetPage(d, p));
        }),
    }),
    protect(auth, {
      method: 'GET',
      path: '/api/v1/queues',
      kind: 'api',
      handle: (_req, res, url) =>
        withParams(res, async () => {
          const p = readParams(url);
          const wanted = url.searchParams.get('queue');
          if (wanted && !(QUEUES as string[]).includes(wanted))
            throw new ParamError(`queue: unknown queue "${wanted}" (known: ${QUEUES.join(', ')})`);
          const counts = await d.queues.counts();
          const failed = (
            await Promise.all(
              (wanted ? [wanted as QueueName] : QUEUES).map((q) =>
                d.queues.failed(q, { offset: p.offset, limit: p.limit }),
              ),
            )
          ).flat();
          sendJson(res, 200, {
            queues: QUEUES.map((q) => ({ queue: q, counts: counts[q] ?? {} })),
            failed: failed.map((j) => ({ ...j, failedReason: redact(j.failedReason), data: redactData(j.data) })),
          });
        }),
    }),
  ];
}
