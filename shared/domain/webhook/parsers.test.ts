import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { webhookType, WEBHOOK_TYPE_NAMES } from './index.ts';
import { request, sample } from '../../../test/fixtures/webhook-samples.ts';
import type { WebhookRequest } from './types.ts';

const parse = (type: string, req: WebhookRequest) => webhookType(type)!.parse(req);
const events = (type: string, req: WebhookRequest) => {
  const r = parse(type, req);
  if (!r.ok) throw new Error(r.error);
  return r.events;
};
const error = (type: string, req: WebhookRequest) => {
  const r = parse(type, req);
  return r.ok ? undefined : r.error;
};

describe('webhook parsers on the real sample bodies', () => {
  it('docker.io: repo_name and push_data.tag, registry docker.io', () => {
    expect(events('docker.io', request(sample('dockerhub.json')))).toEqual([
      { registry: 'docker.io', repository: 'svendowideit/testhook', tag: 'latest' },
    ]);
  });

  it('ghcr.io: lower-cased owner/name, the tag of container_metadata, the digest', () => {
    const req = request(sample('ghcr.json'), { headers: { 'x-github-event': 'package' } });
    expect(webhookType('ghcr.io')!.precheck!(req)).toBeUndefined();
    expect(events('ghcr.io', req)).toEqual([
      {
        registry: 'ghcr.io',
        repository: 'acme-dev/www',
        tag: '0e2a89b',
        digest: 'sha256:89160c587d0c36bf54090497a465445c14980ba48efbcf3b0d03c49b76f3feb8',
      },
    ]);
  });

  it('harbor (Default format): repo_full_name, every resource, host of resource_url', () => {
    expect(events('harbor', request(sample('harbor.json')))).toEqual([
      {
        registry: 'hub.harbor.com',
        repository: 'test-webhook/debian',
        tag: 'latest',
        digest: 'sha256:8a9e9863dbb6e10edb5adfe917c00da84e1700fa76e7ed02476aa6e6fb8ee0d8',
      },
    ]);
  });

  it('quay.io: repository, updated_tags, host of docker_url', () => {
    expect(events('quay.io', request(sample('quay.json')))).toEqual([
      { registry: 'quay.io', repository: 'dgangaia/test', tag: 'latest' },
    ]);
  });

  it('aliyun-acr: registry.<region>.aliyuncs.com, or ?registry_url= for Enterprise Edition', () => {
    const pe = events('aliyun-acr', request(sample('acr.json')));
    expect(pe).toEqual([
      {
        registry: 'registry.cn-hangzhou.aliyuncs.com',
        repository: 'namespace/repoTest',
        tag: 'latest',
        digest: 'sha256:457f4aa83fc9a6663ab9d1b0a6e2dce25a12a943ed5bf2c1747c58d48bbb4917',
      },
    ]);
    const ee = events(
      'aliyun-acr',
      request(sample('acr.json'), { query: 'registry_url=https://acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com/' }),
    );
    expect(ee[0]!.registry).toBe('acme-registry-vpc.cn-hangzhou.cr.aliyuncs.com');
  });

  it('distribution: only the tagged manifest push; the blob push is ignored', () => {
    expect(events('distribution', request(sample('distribution.json')))).toEqual([
      {
        registry: 'registry.example.com',
        repository: 'team/app',
        tag: '0.0.1',
        digest: 'sha256:4afff550708506c5b8b7384ad10d401a02b29ed587cb2730cb02753095b5178d',
      },
    ]);
  });
});

describe('webhook parsers: the anchor’s vectors', () => {
  it.each(
    vectors<{ type: string; name: string; payload: unknown; expected: Record<string, unknown> }>('webhook-parse'),
  )('$id $type: $name', (v) => {
    const r = parse(v.type, request(v.payload));
    if (v.expected.error) return expect(r.ok).toBe(false);
    if (!r.ok) throw new Error(r.error);
    expect(r.events[0]).toMatchObject({
      registry: v.expected.registryUrl,
      repository: v.expected.repository,
      tag: v.expected.tag,
    });
  });
});

describe('webhook parsers: edge cases', () => {
  it('knows exactly the anchor’s types plus distribution', () => {
    expect([...WEBHOOK_TYPE_NAMES].sort()).toEqual(
      ['acr', 'aliyun-acr', 'cloudevents', 'distribution', 'docker.io', 'ghcr.io', 'harbor', 'quay.io'].sort(),
    );
  });

  it.each(WEBHOOK_TYPE_NAMES)('%s: malformed JSON is an error naming the type', (type) => {
    expect(error(type, request('{"not json'))).toMatch(
      new RegExp(`^${type.replace('.', '\\.')}: the body is not JSON`),
    );
    expect(error(type, request('[1,2]'))).toBe(`${type}: the body is not a JSON object`);
  });

  it('docker.io: a missing repository or tag names the field; namespace/name is the fallback', () => {
    expect(error('docker.io', request({ push_data: { tag: 'v1' } }))).toContain('repository.repo_name');
    expect(error('docker.io', request({ repository: { repo_name: 'a/b' } }))).toContain('push_data.tag');
    expect(
      events('docker.io', request({ repository: { namespace: 'a', name: 'b' }, push_data: { tag: 'v1' } })),
    ).toEqual([{ registry: 'docker.io', repository: 'a/b', tag: 'v1' }]);
  });

  it('ghcr.io: registry_package events, other actions and package types, missing header', () => {
    const body = JSON.parse(sample('ghcr.json')) as Record<string, unknown>;
    const legacy = { action: 'published', registry_package: body.package };
    expect(events('ghcr.io', request(legacy, { headers: { 'x-github-event': 'registry_package' } }))[0]).toMatchObject({
      repository: 'acme-dev/www',
      tag: '0e2a89b',
    });
    const deleted = parse('ghcr.io', request({ ...body, action: 'deleted' }));
    expect(deleted).toMatchObject({ ok: true, events: [] });
    const npm = { ...body, package: { ...(body.package as object), package_type: 'npm' } };
    expect(parse('ghcr.io', request(npm))).toMatchObject({ ok: true, events: [] });
    const ghcr = webhookType('ghcr.io')!;
    expect(ghcr.precheck!(request(body))).toContain('X-GitHub-Event header is missing');
    expect(ghcr.precheck!(request(body, { headers: { 'x-github-event': 'push' } }))).toContain('unsupported');
    const owner = { ...body, package: { ...(body.package as object), owner: { login: 'Acme-Dev' }, name: 'WWW' } };
    expect(events('ghcr.io', request(owner))[0]!.repository).toBe('acme-dev/www');
  });

  it('harbor: CloudEvents format, other event types ignored, content type checked', () => {
    const def = JSON.parse(sample('harbor.json')) as { event_data: unknown };
    const cloud = {
      specversion: '1.0',
      type: 'harbor.artifact.pushed',
      source: '/projects/1/webhook/policies/2',
      id: 'x',
      data: def.event_data,
    };
    const req = request(cloud, { headers: { 'content-type': 'application/cloudevents+json' } });
    expect(webhookType('harbor')!.precheck!(req)).toBeUndefined();
    expect(events('harbor', req)).toEqual(events('harbor', request(sample('harbor.json'))));
    expect(parse('harbor', request({ ...def, type: 'PULL_ARTIFACT' }))).toMatchObject({ ok: true, events: [] });
    expect(webhookType('harbor')!.precheck!(request(def, { headers: { 'content-type': 'text/plain' } }))).toContain(
      'Content-Type',
    );
    expect(error('harbor', request({ type: 'PUSH_ARTIFACT', event_data: { resources: [] } }))).toContain(
      'repo_full_name',
    );
  });

  it('quay.io: the old shape whose updated_tags is an object; default registry quay.io', () => {
    const old = { repository: 'ns/app', updated_tags: { 'v1.2': 'abc123', latest: 'abc123' } };
    expect(events('quay.io', request(old))).toEqual([
      { registry: 'quay.io', repository: 'ns/app', tag: 'v1.2' },
      { registry: 'quay.io', repository: 'ns/app', tag: 'latest' },
    ]);
    expect(error('quay.io', request({ repository: 'ns/app', updated_tags: [] }))).toContain('updated_tags');
  });

  it('aliyun-acr: without region nor registry_url, the error says to give registry_url', () => {
    expect(error('aliyun-acr', request({ repository: { repo_full_name: 'a/b' }, push_data: { tag: 'v1' } }))).toContain(
      '?registry_url=',
    );
  });

  it('acr (Azure): push events, request.host as registry; other actions ignored', () => {
    const push = {
      id: '1',
      action: 'push',
      target: {
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        digest: 'sha256:aa',
        repository: 'hello',
        tag: 'v1',
      },
      request: { id: '2', host: 'myregistry.azurecr.io', method: 'PUT' },
    };
    expect(events('acr', request(push))).toEqual([
      { registry: 'myregistry.azurecr.io', repository: 'hello', tag: 'v1', digest: 'sha256:aa' },
    ]);
    expect(parse('acr', request({ ...push, action: 'delete' }))).toMatchObject({ ok: true, events: [] });
    expect(error('acr', request({ ...push, request: {} }))).toContain('request.host');
  });

  it('cloudevents: ECR through EventBridge (registry from the source ARN), generic events, subject fallback', () => {
    const ecr = {
      specversion: '1.0',
      id: '1',
      type: 'com.amazon.ecr.image.push',
      source: 'arn:aws:ecr:us-east-1:123456789012:repository/my-app',
      data: { repositoryName: 'my-app', imageTag: 'v1.2.3', imageDigest: 'sha256:bb' },
    };
    expect(events('cloudevents', request(ecr))).toEqual([
      {
        registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
        repository: 'my-app',
        tag: 'v1.2.3',
        digest: 'sha256:bb',
      },
    ]);
    const generic = {
      specversion: '1.0',
      type: 'io.example.container.pushed',
      source: 'https://reg.example.com/x',
      subject: 'team/app:v9',
      data: {},
    };
    expect(events('cloudevents', request(generic))).toEqual([
      { registry: 'reg.example.com', repository: 'team/app', tag: 'v9' },
    ]);
    expect(error('cloudevents', request({ ...generic, type: 'io.example.build' }))).toContain('unsupported type');
    expect(error('cloudevents', request({ ...ecr, specversion: undefined }))).toContain('specversion');
  });

  it('distribution: an envelope with only blob pushes or pulls names nothing; no events is an error', () => {
    const env = JSON.parse(sample('distribution.json')) as { events: Record<string, unknown>[] };
    expect(parse('distribution', request({ events: [env.events[1]] }))).toMatchObject({ ok: true, events: [] });
    expect(parse('distribution', request({ events: [{ ...env.events[0], action: 'pull' }] }))).toMatchObject({
      ok: true,
      events: [],
    });
    expect(error('distribution', request({ foo: 1 }))).toContain('events');
    const noHost = { ...env.events[0], request: {} };
    expect(events('distribution', request({ events: [noHost] }))[0]!.registry).toBe('registry.example.com');
  });
});
