/**
 * CNCF Distribution (registry:2, GitLab's registry, Harbor's core) notification envelopes: `events[]`,
 * each `action`, `target {mediaType, repository, tag, url}`, `request.host`. Only a tagged manifest
 * push names a new tag: blob (layer) pushes, pulls, deletes and untagged manifests are skipped. The
 * registry is `request.host` (the Host the pushing client used), else the host of `target.url`. A
 * registry can only send static headers, so the secret is the `Authorization` header it is
 * configured with.
 */
import { at, hostOf, jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookEvent, type WebhookType } from './types.ts';

const MANIFEST = /manifest|image\.index/i;

export const distribution: WebhookType = {
  name: 'distribution',
  secretKey: 'distribution',
  carrier: 'authorization',
  precheck: (req) => onlyPost('distribution', req.method),
  parse(req) {
    const body = jsonObject('distribution', req.body);
    if (typeof body === 'string') return fail(body);
    const list = at(body, 'events');
    if (!Array.isArray(list)) return fail('distribution: events is missing (a notification envelope expected)');
    const events: WebhookEvent[] = [];
    for (const [i, e] of list.entries()) {
      if (text(e, 'action') !== 'push') continue;
      const tag = text(e, 'target.tag');
      const mediaType = text(e, 'target.mediaType') ?? '';
      if (!tag || !MANIFEST.test(mediaType)) continue;
      const repository = text(e, 'target.repository');
      if (!repository) return fail(`distribution: events[${i}].target.repository is missing`);
      const registry = text(e, 'request.host') ?? hostOf(text(e, 'target.url'));
      if (!registry) return fail(`distribution: events[${i}].request.host is missing (and target.url has no host)`);
      const digest = text(e, 'target.digest');
      events.push({ registry, repository, tag, ...(digest ? { digest } : {}) });
    }
    return events.length > 0 ? ok(events) : ok([], 'distribution: no tagged manifest push in the notification');
  },
};
