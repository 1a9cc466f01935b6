import { describe, expect, it } from 'vitest';
import { appendGitConfig, signingConfig, signingFailure, signingFlags } from './commit-signing.ts';
import { hermeticEnv } from './git-client.ts';

describe('commit signing options', () => {
  it('signs nothing without a key (sign-off alone is only --signoff)', () => {
    expect(signingConfig(undefined)).toEqual([]);
    expect(signingConfig({ key: '  ', method: 'ssh' })).toEqual([]);
    expect(signingFlags({ method: 'openpgp' })).toEqual({});
    expect(signingFlags({ signOff: true })).toEqual({ '--signoff': null });
  });

  it.each([
    [{ key: 'ABCD1234' }, 'openpgp', 'ABCD1234'],
    [{ key: ' ABCD1234 ', method: 'openpgp' as const }, 'openpgp', 'ABCD1234'],
    [{ key: '/app/ssh-keys/id_rsa', method: 'ssh' as const }, 'ssh', '/app/ssh-keys/id_rsa'],
  ])('%j → gpg.format=%s, user.signingKey=%s and --gpg-sign', (s, format, key) => {
    expect(signingConfig(s)).toEqual([
      ['gpg.format', format],
      ['user.signingKey', key],
    ]);
    expect(signingFlags({ ...s, signOff: true })).toEqual({ '--gpg-sign': null, '--signoff': null });
  });

  it('appends its entries after the ones the hermetic env carries, keeping those', () => {
    const env = hermeticEnv({ env: { PATH: '/bin' }, authorization: 'Basic abc', caFile: '/ca.pem' });
    expect(env.GIT_CONFIG_COUNT).toBe('2');
    const extra = appendGitConfig(env, signingConfig({ key: 'K', method: 'ssh' }));
    expect(extra).toEqual({
      GIT_CONFIG_COUNT: '4',
      GIT_CONFIG_KEY_2: 'gpg.format',
      GIT_CONFIG_VALUE_2: 'ssh',
      GIT_CONFIG_KEY_3: 'user.signingKey',
      GIT_CONFIG_VALUE_3: 'K',
    });
    const merged = { ...env, ...extra };
    expect([merged.GIT_CONFIG_KEY_0, merged.GIT_CONFIG_KEY_1]).toEqual(['http.extraHeader', 'http.sslCAInfo']);
    expect(appendGitConfig(env, [])).toEqual({});
  });

  it.each([
    [
      'openpgp',
      'error: gpg failed to sign the data\nfatal: failed to write commit object\n',
      'gpg failed to sign the data',
    ],
    [
      'ssh',
      "error: Couldn't load public key /k: No such file or directory?\n\nfatal: failed to write commit object\n",
      "Couldn't load public key /k: No such file or directory",
    ],
  ] as const)('a %s failure is a PermanentError git.signing naming the key', (method, stderr, summary) => {
    const err = signingFailure(
      new Error(stderr),
      { key: method === 'ssh' ? '/k' : 'K1', method },
      'http://g/r.git (main)',
    );
    expect(err).toMatchObject({ kind: 'permanent', code: 'git.signing' });
    expect(err!.message).toContain(`cannot sign the commit to http://g/r.git (main): ${summary}`);
    expect(err!.message).toContain('(--git-commit-signing-key)');
  });

  it('scrubs the secrets of the workspace from git’s output', () => {
    const err = signingFailure(new Error('error: gpg failed to sign the data: s3cr3t-token'), { key: 'K' }, 'r', [
      's3cr3t-token',
    ]);
    expect(err!.message).not.toContain('s3cr3t-token');
    expect(err!.message).toContain('gpg failed to sign the data: ***');
  });

  it('leaves other failures, and unsigned commits, to the usual classification', () => {
    expect(signingFailure(new Error('fatal: unable to write new index file'), { key: 'K' }, 'r')).toBeNull();
    expect(signingFailure(new Error('error: gpg failed to sign the data'), { signOff: true }, 'r')).toBeNull();
  });
});
