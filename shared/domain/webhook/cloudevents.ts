/**
 * CloudEvents 1.0 (AWS ECR through EventBridge, and generic container/image events). ECR types
 * (`com.amazon.ecr.*`): `data.repositoryName/imageTag/imageDigest`, registry
 * `<registryId|account>.dkr.ecr.<region>.amazonaws.com` from a `urn:aws:ecr:` / `arn:aws:ecr:`
 * source. Generic types containing `container` or `image`: `data.repositoryName|repository`,
 * `data.imageTag|tag`, `data.registryUrl|registry`, else the host of `source`. `subject` `repo:tag`
 * is the fallback. The secret is `?secret=` or `X-Webhook-Secret`.
 */
import { contentTypeIs, hostOf, jsonObject, onlyPost, text, type Json } from './json.ts';
import { fail, ok, type WebhookType } from './types.ts';

function ecrRegistry(source: string | undefined, data: unknown): string | undefined {
  if (!source || !/^(urn|arn):aws:ecr:/.test(source)) return undefined;
  const parts = source.split(':');
  const region = parts[3];
  const account = text(data, 'registryId') ?? parts[4];
  return region && account ? `${account}.dkr.ecr.${region}.amazonaws.com` : undefined;
}

function sourceHost(source: string | undefined): string | undefined {
  if (!source) return undefined;
  if (/^https?:\/\//i.test(source)) return hostOf(source);
  const first = source.split('/')[0]!;
  return first.includes('.') ? first : undefined;
}

export const cloudEvents: WebhookType = {
  name: 'cloudevents',
  secretKey: 'cloudevents',
  carrier: 'query-or-header',
  precheck(req) {
    const wrong = onlyPost('cloudevents', req.method);
    if (wrong) return wrong;
    if (!contentTypeIs(req.headers, 'application/json', 'application/cloudevents+json'))
      return `cloudevents: invalid Content-Type ${req.headers['content-type'] ?? '(none)'} (application/json or application/cloudevents+json expected)`;
    return undefined;
  },
  parse(req) {
    const body = jsonObject('cloudevents', req.body);
    if (typeof body === 'string') return fail(body);
    if (!text(body, 'specversion')) return fail('cloudevents: specversion is missing');
    const type = text(body, 'type');
    if (!type) return fail('cloudevents: type is missing');
    const data = (body.data ?? {}) as Json;
    const source = text(body, 'source');
    const subject = text(body, 'subject');
    const colon = subject ? subject.indexOf(':') : -1;
    let repository = subject && colon > 0 ? subject.slice(0, colon) : undefined;
    let tag = subject && colon > 0 ? subject.slice(colon + 1) : undefined;
    let digest: string | undefined;
    let registry: string | undefined;
    if (type.startsWith('com.amazon.ecr.')) {
      repository = text(data, 'repositoryName') ?? repository;
      tag = text(data, 'imageTag') ?? tag;
      digest = text(data, 'imageDigest');
      registry = ecrRegistry(source, data);
    } else if (type.includes('container') || type.includes('image')) {
      repository = text(data, 'repositoryName') ?? text(data, 'repository') ?? repository;
      tag = text(data, 'imageTag') ?? text(data, 'tag') ?? tag;
      digest = text(data, 'imageDigest') ?? text(data, 'digest');
      registry = hostOf(text(data, 'registryUrl') ?? text(data, 'registry')) ?? sourceHost(source);
    } else {
      return fail(`cloudevents: unsupported type ${type} (com.amazon.ecr.* or a container/image event expected)`);
    }
    if (!repository) return fail('cloudevents: data.repositoryName (or subject repo:tag) is missing');
    if (!tag) return fail('cloudevents: data.imageTag (or subject repo:tag) is missing');
    if (!registry) return fail('cloudevents: the registry is missing (data.registryUrl, or an ECR source ARN)');
    return ok([{ registry, repository, tag, ...(digest ? { digest } : {}) }]);
  },
};
