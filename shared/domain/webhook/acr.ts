/**
 * Azure Container Registry webhooks: `action: push`, `target.repository/tag/digest`, registry
 * `request.host`. Azure adds only the custom headers configured on the webhook, so the secret is
 * an `Authorization` header.
 */
import { contentTypeIs, jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookType } from './types.ts';

export const azureAcr: WebhookType = {
  name: 'acr',
  secretKey: 'acr',
  carrier: 'authorization',
  precheck(req) {
    const wrong = onlyPost('acr', req.method);
    if (wrong) return wrong;
    if (!contentTypeIs(req.headers, 'application/json'))
      return `acr: invalid Content-Type ${req.headers['content-type'] ?? '(none)'} (application/json expected)`;
    return undefined;
  },
  parse(req) {
    const body = jsonObject('acr', req.body);
    if (typeof body === 'string') return fail(body);
    const action = text(body, 'action');
    if (action !== 'push') return ok([], `acr: action ${action ?? '(none)'} is not a push`);
    const repository = text(body, 'target.repository');
    if (!repository) return fail('acr: target.repository is missing');
    const registry = text(body, 'request.host');
    if (!registry) return fail('acr: request.host is missing');
    const tag = text(body, 'target.tag');
    const digest = text(body, 'target.digest');
    return ok([{ registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) }]);
  },
};
