import { describe, expect, it } from 'vitest';
import { classifyGitError, scrubSecrets } from './git-errors.ts';

describe('scrubSecrets', () => {
  it('removes URL userinfo, given secrets and Authorization values', () => {
    expect(scrubSecrets("fatal: unable to access 'https://bot:hunter2@git.example/r.git/'")).toBe(
      "fatal: unable to access 'https://***@git.example/r.git/'",
    );
    expect(scrubSecrets('token abc123 used', ['abc123'])).toBe('token *** used');
    expect(scrubSecrets('Authorization: Basic Ym90Omh1bnRlcjI=')).toBe('Authorization: Basic ***');
  });
});

describe('classifyGitError', () => {
  it.each([
    ['push', "fatal: could not read Username for 'http://h': terminal prompts disabled", 'permanent', 'git.auth'],
    ['clone', "fatal: Authentication failed for 'http://h/r.git/'", 'permanent', 'git.auth'],
    ['push', ' ! [rejected]        main -> main (fetch first)', 'conflict', 'git.push-rejected'],
    ['push', ' ! [remote rejected] HEAD -> main (pre-receive hook declined)', 'conflict', 'git.push-rejected'],
    ['fetch', ' ! [rejected]        main -> origin/main (non-fast-forward)', 'transient', 'git.fetch'],
    ['clone', 'fatal: Remote branch zzz not found in upstream origin', 'permanent', 'git.branch-not-found'],
    ['clone', "fatal: repository 'http://h/missing.git/' not found", 'permanent', 'git.repo-not-found'],
    ['clone', "fatal: unable to access 'http://h/': Could not resolve host: h", 'transient', 'git.clone'],
    ['push', 'error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502', 'transient', 'git.push'],
  ] as const)('%s: %s → %s %s', (op, text, kind, code) => {
    const e = classifyGitError(new Error(text), op, 'op on http://h/r.git');
    expect({ kind: e.kind, code: e.code }).toEqual({ kind, code });
    expect(e.message.startsWith('op on http://h/r.git: ')).toBe(true);
  });

  it('never repeats a secret from git output', () => {
    const e = classifyGitError(
      new Error("fatal: unable to access 'https://bot:s3cr3t@h/r.git/': 500"),
      'clone',
      'clone',
      ['s3cr3t'],
    );
    expect(e.message).not.toContain('s3cr3t');
    expect(e.cause).toBeUndefined();
  });
});
