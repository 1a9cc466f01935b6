import { describe, expect, it } from 'vitest';
import { isSshRemote, knownHostsName, normaliseRemoteUrl, parseSshRemote } from './git-remote.ts';

describe('parseSshRemote', () => {
  it.each([
    ['git@github.com:org/repo.git', { user: 'git', host: 'github.com', path: 'org/repo.git' }],
    ['git@GitHub.com:/abs/repo.git', { user: 'git', host: 'github.com', path: '/abs/repo.git' }],
    ['github.com:org/repo', { host: 'github.com', path: 'org/repo' }],
    [
      'ssh://git@git.example:2222/org/repo.git',
      { user: 'git', host: 'git.example', port: 2222, path: '/org/repo.git' },
    ],
    ['ssh://git@git.example:22/org/repo.git', { user: 'git', host: 'git.example', path: '/org/repo.git' }],
    [
      'ssh://root@127.0.0.1:40000/tmp/x/repo.git',
      { user: 'root', host: '127.0.0.1', port: 40000, path: '/tmp/x/repo.git' },
    ],
    ['SSH://Git.Example/repo', { host: 'git.example', path: '/repo' }],
    ['git+ssh://git@git.example/repo', { user: 'git', host: 'git.example', path: '/repo' }],
    ['ssh://git@[::1]:2200/repo', { user: 'git', host: '::1', port: 2200, path: '/repo' }],
  ])('%s', (url, want) => {
    expect(parseSshRemote(url)).toEqual(want);
    expect(isSshRemote(url)).toBe(true);
  });

  it.each([
    'https://github.com/org/repo.git',
    'http://git.example:8080/r.git',
    'file:///srv/git/r.git',
    '/srv/git/r.git',
    './relative/r.git',
    'C:\\repos\\r.git',
    'ftp://git.example/r.git',
  ])('%s is not an ssh remote', (url) => {
    expect(parseSshRemote(url)).toBeUndefined();
  });
});

describe('knownHostsName', () => {
  it('is [host]:port for another port than 22, else the host', () => {
    expect(knownHostsName(parseSshRemote('ssh://git@127.0.0.1:2222/r.git')!)).toBe('[127.0.0.1]:2222');
    expect(knownHostsName(parseSshRemote('git@github.com:org/r.git')!)).toBe('github.com');
  });
});

describe('normaliseRemoteUrl', () => {
  it.each([
    ['git@github.com:Org/Repo.git', 'ssh://git@github.com/org/repo'],
    ['ssh://git@github.com/org/repo/', 'ssh://git@github.com/org/repo'],
    ['ssh://git@GITHUB.com:22/org/repo.git', 'ssh://git@github.com/org/repo'],
    ['ssh://git@github.com:2222/org/repo.git', 'ssh://git@github.com:2222/org/repo'],
    ['  https://Git.Example.com/org/app.git/ ', 'https://git.example.com/org/app'],
  ])('%s → %s', (url, want) => {
    expect(normaliseRemoteUrl(url)).toBe(want);
  });

  it('makes both ssh spellings of one repository equal and a repo-creds URL a prefix', () => {
    expect(normaliseRemoteUrl('git@github.com:org/repo.git')).toBe(normaliseRemoteUrl('ssh://git@github.com/org/repo'));
    expect(normaliseRemoteUrl('ssh://git@github.com/org/repo.git')).toMatch(
      new RegExp(`^${normaliseRemoteUrl('git@github.com:org').replace(/[/.]/g, '\\$&')}`),
    );
  });
});
