/**
 * GitHub `package` (and the older `registry_package`) events for container packages, signed with
 * `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body>`. The repository is the lower-cased
 * `owner/name`; an untagged version (no `container_metadata.tag.name`) still names the repository.
 */
import { at, jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookType } from './types.ts';

const EVENTS = new Set(['package', 'registry_package']);
const ACTIONS = new Set(['published', 'updated']);

export const ghcr: WebhookType = {
  name: 'ghcr.io',
  secretKey: 'ghcr',
  carrier: 'hmac-sha256',
  precheck(req) {
    const wrong = onlyPost('ghcr.io', req.method);
    if (wrong) return wrong;
    const event = req.headers['x-github-event'];
    if (!event) return 'ghcr.io: the X-GitHub-Event header is missing';
    if (!EVENTS.has(event))
      return `ghcr.io: unsupported X-GitHub-Event ${event} (package or registry_package expected)`;
    return undefined;
  },
  parse(req) {
    const body = jsonObject('ghcr.io', req.body);
    if (typeof body === 'string') return fail(body);
    const key =
      req.headers['x-github-event'] === 'registry_package' || !at(body, 'package') ? 'registry_package' : 'package';
    const action = text(body, 'action');
    if (!action || !ACTIONS.has(action)) return ok([], `ghcr.io: action ${action ?? '(none)'} is not a push`);
    const type = text(body, `${key}.package_type`) ?? text(body, `${key}.ecosystem`);
    if (!type) return fail(`ghcr.io: ${key}.package_type is missing`);
    if (type.toLowerCase() !== 'container') return ok([], `ghcr.io: package type ${type} is not a container`);
    const name = text(body, `${key}.name`);
    if (!name) return fail(`ghcr.io: ${key}.name is missing`);
    const owner = text(body, `${key}.owner.login`) ?? text(body, `${key}.namespace`);
    if (!owner) return fail(`ghcr.io: ${key}.owner.login is missing`);
    const version = `${key}.package_version`;
    const tag = text(body, `${version}.container_metadata.tag.name`);
    const digest = text(body, `${version}.container_metadata.tag.digest`) ?? text(body, `${version}.version`);
    return ok([
      {
        registry: 'ghcr.io',
        repository: `${owner}/${name}`.toLowerCase(),
        ...(tag ? { tag } : {}),
        ...(digest?.startsWith('sha256:') ? { digest } : {}),
      },
    ]);
  },
};
