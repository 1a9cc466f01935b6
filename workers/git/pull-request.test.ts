import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMIT_TEMPLATE } from '../../shared/domain/writeback/commit-message.ts';
import type { GitWriteBackPlan } from '../../shared/domain/plan/write-back-plan.ts';
import { anchorHead, pullRequestText, splitPullRequests } from './pull-request.ts';

const REPO = 'https://github.com/acme/deploy.git';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function pending(name: string, oldTag: string, newTag: string, o: { pr?: boolean; target?: string } = {}) {
  const plan = {
    method: 'git',
    app: { cluster: 'cp', namespace: 'argocd', name },
    sourceType: 'Helm',
    source: { repoURL: REPO },
    writes: [],
    changes: [{ alias: 'web', image: 'org/web', fullName: 'ghcr.io/org/web', oldTag, newTag }],
    createdAt: 0,
    git: {
      repoUrl: REPO,
      branch: 'main',
      path: `apps/${name}`,
      credentials: { kind: 'repocreds' },
      ...(o.target ? { target: o.target } : {}),
      ...(o.pr === false ? {} : { pullRequest: { provider: 'github', labels: [] } }),
    },
  } as GitWriteBackPlan;
  return { id: `id-${name}`, app: `cp/argocd/${name}`, seq: 1, plan };
}

describe('anchorHead', () => {
  it('is image-updater-<TargetKey>-<SHA256 over every change of the batch, by app>', () => {
    const batch = [pending('b', 'v1', 'v2'), pending('a', 'v1', 'v3')];
    const { head, prefix } = anchorHead(REPO, 'main', batch);
    // the anchor's repo|branch|target, then the batch's control plane and credentials reference
    const targetKey = sha(`${REPO}|main||cp|{"kind":"repocreds"}`).slice(0, 8);
    expect(prefix).toBe(`image-updater-${targetKey}-`);
    expect(head).toBe(`${prefix}${sha('org/web-v1-v3,org/web-v1-v2,')}`);
    expect(anchorHead(REPO, 'main', [...batch].reverse()).head).toBe(head);
  });

  it('a newer change keeps the prefix and changes the head; another base or target changes the prefix', () => {
    const first = anchorHead(REPO, 'main', [pending('a', 'v1', 'v2')]);
    const newer = anchorHead(REPO, 'main', [pending('a', 'v1', 'v3')]);
    expect(newer.prefix).toBe(first.prefix);
    expect(newer.head).not.toBe(first.head);
    expect(anchorHead(REPO, 'release', [pending('a', 'v1', 'v2')]).prefix).not.toBe(first.prefix);
    expect(anchorHead(REPO, 'main', [pending('a', 'v1', 'v2', { target: 'kustomization' })]).prefix).not.toBe(
      first.prefix,
    );
  });

  it('batches of one repository and base with other credentials or another control plane get their own prefix', () => {
    const first = anchorHead(REPO, 'main', [pending('a', 'v1', 'v2')]);
    const other = pending('a', 'v1', 'v2');
    other.plan.git.credentials = { kind: 'secret', namespace: 'argocd', name: 'bot' };
    expect(anchorHead(REPO, 'main', [other]).prefix).not.toBe(first.prefix);
    const elsewhere = pending('a', 'v1', 'v2');
    elsewhere.plan.app = { ...elsewhere.plan.app, cluster: 'other-cp' };
    expect(anchorHead(REPO, 'main', [elsewhere]).prefix).not.toBe(first.prefix);
  });
});

describe('pullRequestText', () => {
  it('title = the commit message first line; body = the rest and every app with its image changes', () => {
    const { title, body } = pullRequestText(DEFAULT_COMMIT_TEMPLATE, [
      pending('b', 'v1', 'v2'),
      pending('a', 'v1', 'v3'),
    ]);
    expect(title).toBe('build: automatic update of 2 applications');
    expect(body).toContain("updates image org/web tag 'v1' to 'v3'");
    expect(body.indexOf('`argocd/a`')).toBeLessThan(body.indexOf('`argocd/b`'));
    expect(body).toContain('- `argocd/a`\n  - `ghcr.io/org/web`: `v1` → `v3`');
    expect(body).toContain('- `argocd/b`\n  - `ghcr.io/org/web`: `v1` → `v2`');
  });

  it('one app: exactly its commit message title; a long title is cut to 255 characters', () => {
    expect(pullRequestText(DEFAULT_COMMIT_TEMPLATE, [pending('a', 'v1', 'v2')]).title).toBe(
      'build: automatic update of a',
    );
    expect(pullRequestText('x'.repeat(300), [pending('a', 'v1', 'v2')]).title).toHaveLength(255);
  });
});

describe('splitPullRequests', () => {
  it('separates the plans pushed to their branch from those proposed in a pull request', () => {
    const direct = pending('d', 'v1', 'v2', { pr: false });
    const proposed = pending('p', 'v1', 'v2');
    expect(splitPullRequests([direct, proposed])).toEqual({ direct: [direct], proposed: [proposed] });
  });
});
