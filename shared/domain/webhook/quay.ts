/**
 * Quay "Repository Push" notifications: `repository`, `updated_tags` (a list, or in the early shape
 * an object whose keys are the tags), registry = host of `docker_url` (default quay.io). Quay
 * sends no secret of its own, so it goes in the URL (`?secret=`).
 */
import { at, hostOf, jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookType } from './types.ts';

export const quay: WebhookType = {
  name: 'quay.io',
  secretKey: 'quay',
  carrier: 'query',
  precheck: (req) => onlyPost('quay.io', req.method),
  parse(req) {
    const body = jsonObject('quay.io', req.body);
    if (typeof body === 'string') return fail(body);
    const repository = text(body, 'repository');
    if (!repository) return fail('quay.io: repository is missing');
    const registry = hostOf(text(body, 'docker_url')) ?? 'quay.io';
    const raw = at(body, 'updated_tags');
    const tags = Array.isArray(raw)
      ? raw.filter((t): t is string => typeof t === 'string' && t !== '')
      : raw && typeof raw === 'object'
        ? Object.keys(raw)
        : [];
    if (tags.length === 0) return fail('quay.io: updated_tags is missing or empty');
    return ok(tags.map((tag) => ({ registry, repository, tag })));
  },
};
