import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../errors.ts';
import { parseGitUrl, resolveForgeApi } from './api-base.ts';

describe('resolveForgeApi', () => {
  it.each([
    ['github.com over https', 'github', 'https://github.com/acme/app.git', {}, 'https://api.github.com', 'acme/app'],
    ['github.com without .git', 'github', 'https://github.com/acme/app', {}, 'https://api.github.com', 'acme/app'],
    ['github.com over scp-like ssh', 'github', 'git@github.com:acme/app.git', {}, 'https://api.github.com', 'acme/app'],
    ['github.com over ssh://', 'github', 'ssh://git@github.com/acme/app.git', {}, 'https://api.github.com', 'acme/app'],
    [
      'GitHub Enterprise host',
      'github',
      'https://ghe.corp.example/acme/app.git',
      {},
      'https://ghe.corp.example/api/v3',
      'acme/app',
    ],
    [
      'GitHub Enterprise over http with a port',
      'github',
      'http://10.0.0.5:8080/acme/app.git',
      {},
      'http://10.0.0.5:8080/api/v3',
      'acme/app',
    ],
    [
      'the GitHub App enterprise base URL wins',
      'github',
      'https://ghe.corp.example/acme/app.git',
      { apiUrl: 'https://ghe-api.corp.example/api/v3/', overrides: { github: 'http://127.0.0.1:1' } },
      'https://ghe-api.corp.example/api/v3',
      'acme/app',
    ],
    [
      'the process-wide override',
      'github',
      'https://github.com/acme/app.git',
      { overrides: { github: 'http://127.0.0.1:9999/' } },
      'http://127.0.0.1:9999',
      'acme/app',
    ],
    [
      'gitlab.com',
      'gitlab',
      'https://gitlab.com/group/sub/project.git',
      {},
      'https://gitlab.com/api/v4',
      'group/sub/project',
    ],
    [
      'self-hosted GitLab over ssh',
      'gitlab',
      'git@gitlab.corp:team/app.git',
      {},
      'https://gitlab.corp/api/v4',
      'team/app',
    ],
    [
      'the GitLab override (the GitHub one does not apply)',
      'gitlab',
      'https://gitlab.com/team/app.git',
      { overrides: { github: 'http://127.0.0.1:1', gitlab: 'http://127.0.0.1:2/api/v4' } },
      'http://127.0.0.1:2/api/v4',
      'team/app',
    ],
  ] as const)('%s', (_name, provider, url, o, apiUrl, repository) => {
    expect(resolveForgeApi(provider, url, o)).toEqual({ apiUrl, repository });
  });

  it.each([
    ['github', 'https://github.com/acme'],
    ['github', 'https://ghe.example/group/sub/app.git'],
    ['gitlab', 'https://gitlab.com/app.git'],
    ['github', 'not a url'],
  ] as const)('%s %s: a clear permanent error naming the repository', (provider, url) => {
    const e = (() => {
      try {
        resolveForgeApi(provider, url);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(PermanentError);
    expect((e as PermanentError).message).toContain(url);
    expect((e as PermanentError).code).toBe('git.pull-request');
  });

  it('parses git URLs of every form', () => {
    expect(parseGitUrl('git@host.example:a/b.git')).toEqual({ scheme: 'https', host: 'host.example', path: 'a/b.git' });
    expect(parseGitUrl('https://host.example:8443/a/b')).toEqual({
      scheme: 'https',
      host: 'host.example:8443',
      path: '/a/b',
    });
    expect(parseGitUrl('file:///tmp/repo')).toBeNull();
  });
});
