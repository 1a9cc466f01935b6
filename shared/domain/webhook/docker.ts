/** Docker Hub repository webhooks: `repository.repo_name` and `push_data.tag`; the secret is `?secret=`. */
import { jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookType } from './types.ts';

export const dockerHub: WebhookType = {
  name: 'docker.io',
  secretKey: 'docker',
  carrier: 'query',
  precheck: (req) => onlyPost('docker.io', req.method),
  parse(req) {
    const body = jsonObject('docker.io', req.body);
    if (typeof body === 'string') return fail(body);
    const ns = text(body, 'repository.namespace');
    const name = text(body, 'repository.name');
    const repository = text(body, 'repository.repo_name') ?? (ns && name ? `${ns}/${name}` : name);
    if (!repository) return fail('docker.io: repository.repo_name (or repository.namespace and .name) is missing');
    const tag = text(body, 'push_data.tag');
    if (!tag) return fail('docker.io: push_data.tag is missing');
    return ok([{ registry: 'docker.io', repository, tag }]);
  },
};
