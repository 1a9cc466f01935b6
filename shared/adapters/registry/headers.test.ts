import { describe, expect, it } from 'vitest';
import { nextLink, parseChallenge } from './headers.ts';

describe('parseChallenge', () => {
  it.each([
    ['Basic realm="Registry Realm"', { scheme: 'basic', params: { realm: 'Registry Realm' } }],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ],
    [
      'bearer realm="https://x/token", service=reg, scope="repository:a:pull,push", error="insufficient_scope"',
      {
        scheme: 'bearer',
        params: {
          realm: 'https://x/token',
          service: 'reg',
          scope: 'repository:a:pull,push',
          error: 'insufficient_scope',
        },
      },
    ],
    ['Bearer realm="a\\"b"', { scheme: 'bearer', params: { realm: 'a"b' } }],
    ['Negotiate', { scheme: 'other', params: {} }],
  ])('%s', (header, want) => {
    expect(parseChallenge(header)).toEqual(want);
  });

  it('returns null for a missing header', () => {
    expect(parseChallenge(null)).toBeNull();
    expect(parseChallenge('')).toBeNull();
  });
});

describe('nextLink', () => {
  const base = new URL('https://reg.example/v2/app/tags/list?n=2');
  it.each([
    ['</v2/app/tags/list?n=2&last=b>; rel="next"', 'https://reg.example/v2/app/tags/list?n=2&last=b'],
    ['<https://reg.example/v2/app/tags/list?last=b>; rel=next', 'https://reg.example/v2/app/tags/list?last=b'],
    ['</first>; rel="first", </v2/app/tags/list?last=z>; rel="next"', 'https://reg.example/v2/app/tags/list?last=z'],
    ['<?last=c>; rel="next"', 'https://reg.example/v2/app/tags/list?last=c'],
  ])('%s', (header, want) => {
    expect(nextLink(header, base)?.href).toBe(want);
  });

  it.each([null, '', '</v2/x>; rel="prev"', 'garbage'])('no next in %j', (header) => {
    expect(nextLink(header, base)).toBeNull();
  });
});
