import { describe, expect, it } from 'vitest';
import { splitCredentials } from './simple-git-workspace.ts';
import { hermeticEnv } from './git-client.ts';

describe('splitCredentials', () => {
  it('moves URL userinfo into auth and strips it from the URL', () => {
    expect(splitCredentials('https://bot:p%40ss@git.example/org/r.git')).toEqual({
      url: 'https://git.example/org/r.git',
      auth: { username: 'bot', password: 'p@ss' },
    });
  });
  it('prefers explicit auth and leaves other URLs alone', () => {
    const auth = { username: 'a', password: 'b' };
    expect(splitCredentials('https://x:y@git.example/r.git', auth)).toEqual({ url: 'https://git.example/r.git', auth });
    expect(splitCredentials('/srv/git/r.git')).toEqual({ url: '/srv/git/r.git', auth: undefined });
  });
});

describe('hermeticEnv', () => {
  it('drops ambient GIT_* and editor variables and carries auth as env config', () => {
    const env = hermeticEnv({
      env: { PATH: '/bin', GIT_DIR: '/x', git_ssl_cainfo: '/ca', EDITOR: 'vi' },
      authorization: 'Basic abc',
      caFile: '/ca.pem',
    });
    expect(env).toMatchObject({
      PATH: '/bin',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_SYSTEM: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: 'Authorization: Basic abc',
      GIT_CONFIG_KEY_1: 'http.sslCAInfo',
      GIT_CONFIG_VALUE_1: '/ca.pem',
    });
    expect(env).not.toHaveProperty('GIT_DIR');
    expect(env).not.toHaveProperty('git_ssl_cainfo');
    expect(env).not.toHaveProperty('EDITOR');
  });
});
