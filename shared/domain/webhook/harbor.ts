/**
 * Harbor webhooks, Default format (`application/json`, `type: PUSH_ARTIFACT`) and CloudEvents format
 * (`application/cloudevents+json`, `type: harbor.artifact.pushed`, the Default `event_data` as
 * `data`). Every resource is an event (one digest can carry several tags); the registry is the
 * host of `resource_url`. The secret is the whole `Authorization` header, as Harbor sends it.
 */
import { at, contentTypeIs, hostOf, jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookEvent, type WebhookType } from './types.ts';

const PUSHES = new Set(['PUSH_ARTIFACT', 'harbor.artifact.pushed']);

export const harbor: WebhookType = {
  name: 'harbor',
  secretKey: 'harbor',
  carrier: 'authorization',
  precheck(req) {
    const wrong = onlyPost('harbor', req.method);
    if (wrong) return wrong;
    if (!contentTypeIs(req.headers, 'application/json', 'application/cloudevents+json'))
      return `harbor: invalid Content-Type ${req.headers['content-type'] ?? '(none)'} (application/json or application/cloudevents+json expected)`;
    return undefined;
  },
  parse(req) {
    const body = jsonObject('harbor', req.body);
    if (typeof body === 'string') return fail(body);
    const type = text(body, 'type');
    if (!type) return fail('harbor: type is missing');
    if (!PUSHES.has(type)) return ok([], `harbor: event ${type} is not a push`);
    const cloud = text(body, 'specversion') !== undefined;
    const dataKey = cloud ? 'data' : 'event_data';
    const ns = text(body, `${dataKey}.repository.namespace`);
    const name = text(body, `${dataKey}.repository.name`);
    const repository = text(body, `${dataKey}.repository.repo_full_name`) ?? (ns && name ? `${ns}/${name}` : undefined);
    if (!repository) return fail(`harbor: ${dataKey}.repository.repo_full_name is missing`);
    const resources = at(body, `${dataKey}.resources`);
    if (!Array.isArray(resources) || resources.length === 0) return fail(`harbor: ${dataKey}.resources is empty`);
    const events: WebhookEvent[] = [];
    for (const [i, r] of resources.entries()) {
      const registry = hostOf(text(r, 'resource_url'));
      if (!registry) return fail(`harbor: ${dataKey}.resources[${i}].resource_url is missing`);
      const tag = text(r, 'tag');
      const digest = text(r, 'digest');
      events.push({
        registry,
        repository,
        ...(tag && !tag.startsWith('sha256:') ? { tag } : {}),
        ...(digest ? { digest } : {}),
      });
    }
    return ok(events);
  },
};
