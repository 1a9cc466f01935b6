/**
 * Alibaba Cloud ACR triggers (Personal and Enterprise Edition): `repository.repo_full_name`,
 * `push_data.tag/digest`. The payload names no instance, so the registry is `?registry_url=` when
 * given (required for Enterprise Edition, `<instance>-registry.<region>.cr.aliyuncs.com`, and for
 * VPC or `crpi-*` hosts), else the classic Personal Edition host `registry.<region>.aliyuncs.com`.
 * ACR signs nothing: the secret is `?secret=`.
 */
import { hostOf, jsonObject, onlyPost, text } from './json.ts';
import { fail, ok, type WebhookType } from './types.ts';

export const aliyunAcr: WebhookType = {
  name: 'aliyun-acr',
  secretKey: 'aliyun-acr',
  carrier: 'query',
  precheck: (req) => onlyPost('aliyun-acr', req.method),
  parse(req) {
    const body = jsonObject('aliyun-acr', req.body);
    if (typeof body === 'string') return fail(body);
    const ns = text(body, 'repository.namespace');
    const name = text(body, 'repository.name');
    const repository = text(body, 'repository.repo_full_name') ?? (ns && name ? `${ns}/${name}` : undefined);
    if (!repository)
      return fail('aliyun-acr: repository.repo_full_name (or repository.namespace and .name) is missing');
    const tag = text(body, 'push_data.tag');
    if (!tag) return fail('aliyun-acr: push_data.tag is missing');
    const region = text(body, 'repository.region');
    const registry =
      hostOf(req.query.get('registry_url')?.trim()) ?? (region ? `registry.${region}.aliyuncs.com` : undefined);
    if (!registry)
      return fail('aliyun-acr: repository.region is missing; give the registry host as ?registry_url=<host>');
    const digest = text(body, 'push_data.digest');
    return ok([{ registry, repository, tag, ...(digest ? { digest } : {}) }]);
  },
};
