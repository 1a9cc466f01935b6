import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import {
  DOCKER_HUB_ENDPOINT,
  findEndpoint,
  inferEndpoint,
  isTimeSorted,
  parseTagSortMode,
  repositoryPath,
  type RegistryEndpoint,
} from './endpoint.ts';
import { parseRegistriesConf } from './registries-conf.ts';

function configured(fields: Partial<RegistryEndpoint> & { prefix: string }): RegistryEndpoint {
  return {
    name: fields.prefix,
    apiUrl: `https://${fields.prefix}`,
    credsExpireMs: 0,
    tagSortMode: 'unsorted',
    insecure: false,
    isDefault: false,
    ...fields,
  };
}

describe('parseTagSortMode (compat vectors)', () => {
  it.each(vectors<{ input: string; expected: string }>('tagsortmode'))('$id: $input', ({ input, expected }) => {
    expect(parseTagSortMode(input)).toBe(expected);
  });

  it('is case-insensitive and treats "" as unsorted', () => {
    expect(parseTagSortMode('LATEST-FIRST')).toBe('latest-first');
    expect(parseTagSortMode('')).toBe('unsorted');
    expect(isTimeSorted('latest-last')).toBe(true);
    expect(isTimeSorted('unsorted')).toBe(false);
  });
});

describe('findEndpoint (compat vectors)', () => {
  interface LookupVector {
    configured?: { prefix: string; credentials?: string }[];
    image: { registry: string; name?: string };
    expected: { prefix?: string; credentials?: string };
  }
  it.each(vectors<LookupVector>('endpoint-lookup'))('$id', ({ configured: conf, image, expected }) => {
    const ep = findEndpoint((conf ?? []).map(configured), image.registry, image.name ?? 'image');
    if (expected.prefix !== undefined) expect(ep.prefix).toBe(expected.prefix);
    if (expected.credentials !== undefined) expect(ep.credentials).toBe(expected.credentials);
  });
});

describe('findEndpoint', () => {
  const eps = parseRegistriesConf(`registries:
- name: GHCR
  api_url: https://ghcr.io
  prefix: ghcr.io
  credentials: env:GH
- name: Team A
  api_url: https://gcr.io
  prefix: gcr.io/team-a
  credentials: env:TEAM_A
`);

  it('uses the built-in Docker Hub endpoint for images without a registry', () => {
    expect(findEndpoint(eps, '', 'nginx')).toBe(DOCKER_HUB_ENDPOINT);
    expect(findEndpoint([], 'docker.io', 'bitnami/redis')).toMatchObject({
      apiUrl: 'https://registry-1.docker.io',
      defaultNs: 'library',
      limit: 10,
    });
  });

  it('matches the host exactly before trying prefixes', () => {
    expect(findEndpoint(eps, 'ghcr.io', 'org/app').credentials).toBe('env:GH');
  });

  it('matches a path-scoped prefix by string prefix of registry/name', () => {
    expect(findEndpoint(eps, 'gcr.io', 'team-a/app').credentials).toBe('env:TEAM_A');
  });

  it('infers https://<host> with 20 req/s for unknown hosts (and for non-matching paths)', () => {
    expect(findEndpoint(eps, 'gcr.io', 'team-b/app')).toEqual(inferEndpoint('gcr.io'));
    expect(findEndpoint(eps, 'registry.example.com:5000', 'x')).toMatchObject({
      apiUrl: 'https://registry.example.com:5000',
      prefix: 'registry.example.com:5000',
      limit: 20,
      isDefault: false,
    });
  });

  it('a configured default replaces Docker Hub for images without a registry', () => {
    const mine = configured({ prefix: 'registry.corp', isDefault: true });
    expect(findEndpoint([mine], '', 'app')).toBe(mine);
  });

  it('a configured docker.io entry without default: true only serves explicit docker.io images', () => {
    const hub = configured({ prefix: 'docker.io', credentials: 'env:HUB' });
    expect(findEndpoint([hub], 'docker.io', 'nginx')).toBe(hub);
    expect(findEndpoint([hub], '', 'nginx')).toBe(DOCKER_HUB_ENDPOINT);
  });

  it('the prefix-less entry catches every host that is not matched exactly', () => {
    const catchAll = configured({ prefix: '' });
    expect(findEndpoint([catchAll], 'quay.io', 'x/y')).toBe(catchAll);
  });
});

describe('repositoryPath', () => {
  it.each([
    [{ defaultNs: 'library' }, 'nginx', 'library/nginx'],
    [{ defaultNs: 'library' }, 'bitnami/redis', 'bitnami/redis'],
    [{}, 'nginx', 'nginx'],
  ])('%j + %s → %s', (ep, name, want) => {
    expect(repositoryPath(ep, name)).toBe(want);
  });
});
