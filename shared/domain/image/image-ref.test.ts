import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import {
  canonicalImageName,
  differsFrom,
  extractShortForm,
  formatImageList,
  formatImageRef,
  fullNameWithTag,
  fullNameWithoutTag,
  hasRegistryPrefix,
  isSameImage,
  parseImageRef,
  tagWithDigest,
  validateImageRef,
  withTag,
} from './image-ref.ts';

interface ParseVector {
  input: string;
  expected: Partial<
    Record<
      'registry' | 'alias' | 'name' | 'digest' | 'tagWithDigest' | 'fullNameWithTag' | 'fullNameWithoutTag',
      string
    >
  > & {
    tag?: string | null;
  };
}

describe('parseImageRef — compat vectors image-parse', () => {
  it.each(vectors<ParseVector>('image-parse'))('$id $input', ({ input, expected }) => {
    const ref = parseImageRef(input);
    const actual: Record<string, unknown> = {
      registry: ref.registry,
      alias: ref.alias,
      name: ref.name,
      tag: ref.tag,
      digest: ref.digest,
      tagWithDigest: tagWithDigest(ref),
      fullNameWithTag: fullNameWithTag(ref),
      fullNameWithoutTag: fullNameWithoutTag(ref),
    };
    for (const [key, value] of Object.entries(expected)) expect(actual[key], key).toEqual(value);
  });
});

describe('rendering — compat vectors image-render', () => {
  it.each(vectors<{ op: string; input: string | string[]; newTag?: string; expected: string }>('image-render'))(
    '$id $op',
    ({ op, input, newTag, expected }) => {
      if (op === 'String') expect(formatImageRef(parseImageRef(input as string))).toBe(expected);
      else if (op === 'WithTag')
        expect(formatImageRef(withTag(parseImageRef(input as string), newTag ?? null))).toBe(expected);
      else if (op === 'ListString') expect(formatImageList((input as string[]).map(parseImageRef))).toBe(expected);
      else throw new Error(`unknown op ${op}`);
    },
  );
});

describe('differsFrom — compat vectors image-differs', () => {
  it.each(vectors<{ a: string; b: string; checkVersion: boolean; expected: boolean }>('image-differs'))(
    '$id $a vs $b',
    ({ a, b, checkVersion, expected }) => {
      expect(differsFrom(parseImageRef(a), parseImageRef(b), checkVersion)).toBe(expected);
    },
  );
});

describe('registry prefix — compat vectors registry-prefix', () => {
  it.each(vectors<{ op: string; input: string; expected: boolean | string }>('registry-prefix'))(
    '$id $op $input',
    ({ op, input, expected }) => {
      if (op === 'HasRegistryPrefix') expect(hasRegistryPrefix(input)).toBe(expected);
      else if (op === 'ExtractShortForm') expect(extractShortForm(input)).toBe(expected);
      else throw new Error(`unknown op ${op}`);
    },
  );
});

describe('parseImageRef — more shapes', () => {
  it.each([
    // input, registry, name, tag, digest, alias
    ['nginx', '', 'nginx', null, '', ''],
    ['nginx:1.25', '', 'nginx', '1.25', '', ''],
    ['docker.io/nginx:1.25', 'docker.io', 'nginx', '1.25', '', ''],
    ['docker.io/library/nginx', 'docker.io', 'nginx', null, '', ''],
    ['index.docker.io/library/nginx', '', 'nginx', null, '', ''],
    ['localhost:5000/app:1.0', 'localhost:5000', 'app', '1.0', '', ''],
    ['127.0.0.1:5000/team/app', '127.0.0.1:5000', 'team/app', null, '', ''],
    ['web=nginx:~1.26', '', 'nginx', '~1.26', '', 'web'],
    ['api=ghcr.io/org/api:>=1.0 <2.0', 'ghcr.io', 'org/api', '>=1.0 <2.0', '', 'api'],
    ['nginx:>=1.0', '', 'nginx', '>=1.0', '', ''],
    ['nginx:!=1.2', '', 'nginx', '!=1.2', '', ''],
    ['nginx:^1.0 || ^2.0', '', 'nginx', '^1.0 || ^2.0', '', ''],
    ['localhost:5000/img:~1.0', 'localhost:5000', 'img', '~1.0', '', ''],
    ['quay.io/org/app:v1@sha256:abc', 'quay.io', 'org/app', 'v1', 'sha256:abc', ''],
    ['quay.io/org/app@sha256:abc', 'quay.io', 'org/app', '', 'sha256:abc', ''],
    ['=nginx:1.0', '', 'nginx', '1.0', '', ''],
    ['app:=1.2', '', 'app', '=1.2', '', ''],
    ['app:1.0 || =1.2', '', 'app', '1.0 || =1.2', '', ''],
    ['app:>1 <=2', '', 'app', '>1 <=2', '', ''],
    ['web=app:>1 <=2', '', 'app', '>1 <=2', '', 'web'],
    ['my app=nginx', '', 'nginx', null, '', 'my app'],
  ])('%s', (input, registry, name, tag, digest, alias) => {
    expect(parseImageRef(input)).toEqual({ alias, registry, name, tag, digest });
  });

  it('keeps a full sha256 digest and renders latest@digest for digest-only references', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const ref = parseImageRef(`ghcr.io/org/app@${digest}`);
    expect(ref.tag).toBe('');
    expect(tagWithDigest(ref)).toBe(`latest@${digest}`);
    expect(fullNameWithTag(ref)).toBe(`ghcr.io/org/app@${digest}`);
  });
});

describe('Docker Hub normalisation', () => {
  const spellings = [
    'nginx',
    'docker.io/nginx',
    'docker.io/library/nginx',
    'index.docker.io/library/nginx',
    'library/nginx',
    'nginx:1.2',
  ];
  it.each(spellings)('%s is docker.io/library/nginx', (s) => {
    expect(canonicalImageName(parseImageRef(s))).toBe('docker.io/library/nginx');
  });
  it.each(spellings.flatMap((a) => spellings.map((b) => [a, b] as const)))('%s ≡ %s', (a, b) => {
    expect(isSameImage(parseImageRef(a), parseImageRef(b))).toBe(true);
  });
  it.each([
    ['nginx', 'quay.io/nginx'],
    ['bitnami/nginx', 'nginx'],
    ['ghcr.io/org/app', 'ghcr.io/org/app2'],
    ['harbor.example.com/library/app', 'harbor.example.com/app'],
  ])('%s ≢ %s', (a, b) => {
    expect(isSameImage(parseImageRef(a), parseImageRef(b))).toBe(false);
  });
  it('keeps org images under docker.io without library/', () => {
    expect(canonicalImageName(parseImageRef('bitnami/nginx:1'))).toBe('docker.io/bitnami/nginx');
    expect(canonicalImageName(parseImageRef('Docker.IO/bitnami/nginx'))).toBe('docker.io/bitnami/nginx');
  });
});

describe('validateImageRef', () => {
  it.each(['nginx', 'ghcr.io/org/app:~1.0', 'localhost:5000/x', 'web=nginx:>=1 <2'])('accepts %s', (s) => {
    expect(validateImageRef(parseImageRef(s))).toBeNull();
  });
  it.each(['', 'web=', 'Nginx:1.0', 'ghcr.io/Org/App', 'bad name', 'ghcr.io/'])('rejects %j', (s) => {
    expect(validateImageRef(parseImageRef(s))).toMatch(/image name is empty|not a valid/);
  });
});
