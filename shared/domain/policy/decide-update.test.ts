import { describe, expect, it } from 'vitest';
import { formatImageRef, parseImageRef } from '../image/image-ref.ts';
import { decideUpdate, type UpdateDecisionInput } from './decide-update.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;

function decide(
  configured: string,
  liveImages: string[],
  tags: string[] | UpdateDecisionInput['tags'],
  extra: Partial<UpdateDecisionInput> = {},
) {
  return decideUpdate({
    configured: parseImageRef(configured),
    strategy: 'semver',
    ignoreTags: [],
    platforms: [],
    forceUpdate: false,
    liveImages,
    tags: tags.map((t) => (typeof t === 'string' ? { name: t } : t)),
    ...extra,
  });
}

describe('decideUpdate', () => {
  it.each([
    [
      'updated',
      'web=nginx:~1.25',
      ['docker.io/library/nginx:1.25.0'],
      ['1.25.0', '1.25.3', '1.26.0'],
      'web=nginx:1.25.3',
    ],
    ['already-newest', 'nginx:~1.25', ['nginx:1.25.3'], ['1.25.0', '1.25.3'], 'nginx:1.25.3'],
    ['not-live', 'nginx:~1.25', ['redis:7'], ['1.25.3'], null],
    ['no-tags', 'nginx:~1.25', ['nginx:1.25.0'], [], null],
    ['no-match', 'nginx:~1.27', ['nginx:1.25.0'], ['1.25.3'], null],
    ['invalid-input', 'nginx:latest', ['nginx:1.25.0'], ['1.25.3'], null],
  ] as const)('%s: %s', (reason, configured, live, tags, target) => {
    const r = decide(configured, [...live], [...tags]);
    expect(r.reason).toBe(reason);
    expect(r.target && r.reason === 'updated' ? formatImageRef(r.target) : null).toBe(
      reason === 'updated' ? target : null,
    );
    expect(r.message.length).toBeGreaterThan(10);
  });

  it('force-update treats a non-live image as live without a tag', () => {
    const r = decide('ghcr.io/org/job:~1', [], ['1.0.0', '1.2.0'], { forceUpdate: true });
    expect(r.reason).toBe('updated');
    expect(r.live?.tag).toBeNull();
    expect(r.target && formatImageRef(r.target)).toBe('ghcr.io/org/job:1.2.0');
  });

  it('digest: writes tag@digest and re-selects the stale live entry', () => {
    const live = [`registry.example.com/org/app:develop@${d('1')}`, `registry.example.com/org/app:develop@${d('2')}`];
    const r = decide('registry.example.com/org/app:develop', live, [{ name: 'develop', digest: d('1') }], {
      strategy: 'digest',
    });
    expect(r.reason).toBe('updated');
    expect(r.live?.digest).toBe(d('2'));
    expect(r.target && formatImageRef(r.target)).toBe(`registry.example.com/org/app:develop@${d('1')}`);
  });

  it('digest: already on the digest → already-newest', () => {
    const r = decide('app:main', [`app:main@${d('3')}`], [{ name: 'main', digest: d('3') }], { strategy: 'digest' });
    expect(r.reason).toBe('already-newest');
  });

  it('newest-build targets carry no digest (the anchor writes the tag only)', () => {
    const r = decide('app', ['app:a'], [{ name: 'b', digest: d('4'), created: '2024-01-01T00:00:00Z' }], {
      strategy: 'newest-build',
      defaultPlatforms: ['linux/amd64'],
    });
    expect(r.reason).toBe('updated');
    expect(r.target?.digest).toBe('');
    expect(r.target?.tag).toBe('b');
  });

  it('uses the kustomize.image-name override to find the live image and to detect a repository switch', () => {
    const r = decide('ghcr.io/org/app:~1', ['registry.local/app:1.0.0'], ['1.0.0'], {
      kustomizeImageName: 'registry.local/app',
    });
    expect(r.reason).toBe('updated');
    expect(r.target && formatImageRef(r.target)).toBe('ghcr.io/org/app:1.0.0');
  });

  it('keeps the selection explanation', () => {
    const r = decide('nginx:~1.25', ['nginx:1.25.0'], ['1.25.0', '1.25.3', 'latest']);
    expect(r.selection).toMatchObject({ tagsFound: 3, ranking: ['1.25.3', '1.25.0'] });
  });
});
