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

describe('classifyGitError: ssh', () => {
  const tail =
    'fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.';
  it.each([
    [
      'No ED25519 host key is known for [git.example]:2222 and you have requested strict checking.\nHost key verification failed.',
      'git.ssh-host-unknown',
      'the SSH host key of [git.example]:2222 is not known (strict host key checking): add a line "[git.example]:2222 <key type> <key>" (e.g. from ssh-keyscan) to the known hosts CM',
    ],
    [
      '@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@\nAdd correct host key in /tmp/x/known_hosts to get rid of this message.\n  ssh-keygen -f "/tmp/x/known_hosts" -R "git.example"\nHost key for git.example has changed and you have requested strict checking.\nHost key verification failed.',
      'git.ssh-host-key-changed',
      "the SSH host key of git.example does not match the one in the known hosts CM: the host's key changed or someone is intercepting the connection; if the change is expected, replace the line of git.example there",
    ],
    [
      'git@git.example: Permission denied (publickey).',
      'git.auth',
      'the SSH server refused the deploy key (Permission denied (publickey)): register the public key of sshPrivateKey with write access to the repository, or correct the Secret',
    ],
    [
      'Load key "/tmp/tagflow-ssh-1/id": invalid format\ngit@git.example: Permission denied (publickey).',
      'git.credentials',
      'the SSH private key cannot be used (invalid format): sshPrivateKey must be an unencrypted private key in OpenSSH or PEM format',
    ],
  ])('%s → %s', (text, code, message) => {
    const e = classifyGitError(
      new Error(`${text}\n${tail}`),
      'clone',
      'clone ssh://git@git.example/r.git',
      [],
      'the known hosts CM',
    );
    expect({ kind: e.kind, code: e.code, message: e.message }).toEqual({
      kind: 'permanent',
      code,
      message: `clone ssh://git@git.example/r.git: ${message}`,
    });
  });

  it('names the ConfigMap by default; connection problems stay transient, without the access-rights noise', () => {
    const unknown = classifyGitError(new Error('Host key verification failed.'), 'push', 'push to x');
    expect(unknown.message).toContain('argocd-ssh-known-hosts-cm');
    const refused = classifyGitError(
      new Error(`ssh: connect to host git.example port 22: Connection refused\n${tail}`),
      'fetch',
      'fetch x',
    );
    expect({ kind: refused.kind, message: refused.message }).toEqual({
      kind: 'transient',
      message: 'fetch x: ssh: connect to host git.example port 22: Connection refused',
    });
  });
});
