import { describe, expect, it } from 'vitest';
import type { PollTarget } from '../fleet/index-entry.ts';
import { DOCKER_HUB_ENDPOINT, inferEndpoint } from '../registry/endpoint.ts';
import { matchTargets, normalizeRegistry, normalizeRepository } from './match.ts';

const target = (repoKey: string, endpoint: PollTarget['endpoint'], repository: string): PollTarget => ({
  repoKey,
  controlPlane: repoKey.split('@')[1] ?? 'cp',
  endpoint,
  repository,
  metadata: false,
});

const local = { ...inferEndpoint('registry.example.com'), apiUrl: 'http://127.0.0.1:5000' };
const TARGETS = [
  target('docker.io/library/nginx', DOCKER_HUB_ENDPOINT, 'library/nginx'),
  target('docker.io/acme/app@east', DOCKER_HUB_ENDPOINT, 'acme/app'),
  target('docker.io/acme/app@west', DOCKER_HUB_ENDPOINT, 'acme/app'),
  target('registry.example.com/team/app', local, 'team/app'),
  target('registry.example.com/team/other', local, 'team/other'),
];
const keys = (events: { registry: string; repository: string }[]) =>
  matchTargets(events, TARGETS).map((t) => t.repoKey);

describe('webhook matching', () => {
  it('normalises Docker Hub spellings and library/', () => {
    for (const host of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io/v2/'])
      expect(normalizeRegistry(host)).toBe('docker.io');
    expect(normalizeRepository('docker.io', 'nginx')).toBe('library/nginx');
    expect(normalizeRepository('ghcr.io', 'nginx')).toBe('nginx');
    expect(normalizeRepository('docker.io', 'Acme/App')).toBe('acme/app');
  });

  it('matches one-segment Docker Hub names to library/ and every control plane using a repository', () => {
    expect(keys([{ registry: 'docker.io', repository: 'nginx' }])).toEqual(['docker.io/library/nginx']);
    expect(keys([{ registry: 'index.docker.io', repository: 'library/nginx' }])).toEqual(['docker.io/library/nginx']);
    expect(keys([{ registry: 'registry-1.docker.io', repository: 'acme/app' }])).toEqual([
      'docker.io/acme/app@east',
      'docker.io/acme/app@west',
    ]);
  });

  it('matches by registries.conf prefix or by the endpoint’s API host, never another repository', () => {
    expect(keys([{ registry: 'registry.example.com', repository: 'team/app' }])).toEqual([
      'registry.example.com/team/app',
    ]);
    expect(keys([{ registry: '127.0.0.1:5000', repository: 'team/app' }])).toEqual(['registry.example.com/team/app']);
    expect(keys([{ registry: 'registry.example.com', repository: 'team/ap' }])).toEqual([]);
    expect(keys([{ registry: 'ghcr.io', repository: 'team/app' }])).toEqual([]);
  });
});
