import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import { MAX_REGISTRIES_CONF_BYTES } from '../input-limits.ts';
import { parseRegistriesConf } from './registries-conf.ts';

interface ConfVector {
  yaml: string;
  expected: {
    count?: number;
    lookups?: Record<string, { credentials?: string; credsExpireSeconds?: number }>;
    items?: { ca_data_contains?: string }[];
    errorContains?: string;
  };
}

describe('parseRegistriesConf (compat vectors)', () => {
  it.each(vectors<ConfVector>('registries-conf'))('$id', ({ yaml, expected }) => {
    if (expected.errorContains) {
      expect(() => parseRegistriesConf(yaml)).toThrow(expected.errorContains);
      return;
    }
    const eps = parseRegistriesConf(yaml);
    expect(eps).toHaveLength(expected.count!);
    for (const [prefix, want] of Object.entries(expected.lookups ?? {})) {
      const ep = eps.find((e) => e.prefix === prefix);
      expect(ep, prefix).toBeDefined();
      if (want.credentials !== undefined) expect(ep!.credentials).toBe(want.credentials);
      if (want.credsExpireSeconds !== undefined) expect(ep!.credsExpireMs).toBe(want.credsExpireSeconds * 1000);
    }
    (expected.items ?? []).forEach((item, i) => {
      if (item.ca_data_contains) expect(eps[i]!.caData).toContain(item.ca_data_contains);
    });
  });
});

const entry = (extra: string) => `registries:\n- name: R\n  api_url: https://r.example/\n  prefix: r.example\n${extra}`;

describe('parseRegistriesConf (fields)', () => {
  it('maps every field', () => {
    const [ep] = parseRegistriesConf(
      entry(
        '  ping: true\n  credentials: env:X\n  credsexpire: 1h30m\n  tagsortmode: Latest-Last\n  insecure: true\n' +
          '  ca_file: /etc/ca.pem\n  defaultns: library\n  limit: 5\n  default: true\n',
      ),
    );
    expect(ep).toEqual({
      name: 'R',
      apiUrl: 'https://r.example',
      prefix: 'r.example',
      ping: true,
      credentials: 'env:X',
      credsExpireMs: 5_400_000,
      tagSortMode: 'latest-last',
      insecure: true,
      caFile: '/etc/ca.pem',
      defaultNs: 'library',
      limit: 5,
      isDefault: true,
    });
  });

  it('applies defaults: unsorted, secure, unlimited, never-expiring credentials', () => {
    const [ep] = parseRegistriesConf(entry('  limit: 0\n  tagsortmode: none\n'));
    expect(ep).toMatchObject({ tagSortMode: 'unsorted', insecure: false, isDefault: false, credsExpireMs: 0 });
    expect(ep!.limit).toBeUndefined();
  });

  it.each(['', '# nothing\n', 'registries: []\n', 'registries:\n'])('empty config %j → []', (text) => {
    expect(parseRegistriesConf(text)).toEqual([]);
  });

  it('accepts a prefix written as a number-like scalar', () => {
    expect(
      parseRegistriesConf('registries:\n- name: ip\n  api_url: http://10.0.0.1\n  prefix: 10.5\n')[0]!.prefix,
    ).toBe('10.5');
  });
});

describe('parseRegistriesConf (YAML 1.1 booleans, as the anchor decodes them)', () => {
  it.each([
    ['no', false],
    ['No', false],
    ['off', false],
    ['yes', true],
    ['on', true],
    ['Y', true],
  ])('insecure: %s', (word, expected) => {
    expect(parseRegistriesConf(entry(`  insecure: ${word}\n`))[0]!.insecure).toBe(expected);
  });
});

describe('parseRegistriesConf (errors name the field and the entry)', () => {
  it.each([
    [entry('  ratelimit: 5\n'), 'unknown field "ratelimit" in entry #1 ("R")'],
    ['registry:\n- name: x\n', 'unknown top-level field "registry"'],
    [entry('  limit: fast\n'), 'field "limit" of entry #1 ("R") must be an integer, got "fast"'],
    [entry('  insecure: maybe\n'), 'field "insecure" of entry #1 ("R") must be true or false, got "maybe"'],
    [entry('  credsexpire: 5 hours\n'), 'field "credsexpire" of entry #1 ("R") must be a duration'],
    [entry('  credsexpire: -5m\n'), 'must be a duration that is not negative'],
    [entry('  tagsortmode: newest\n'), 'unknown tag sort mode for registry R: newest'],
    ['registries:\n- api_url: https://x\n', 'registry name is missing for entry #1 (field "name")'],
    ['registries:\n- name: A\n  prefix: a\n', 'API URL must be specified for registry A (field "api_url" of entry #1)'],
    [
      'registries:\n- name: A\n  api_url: https://a\n- name: B\n  api_url: https://b\n',
      'there must be only one default registry (already is A), B needs a prefix',
    ],
    [
      'registries:\n- name: A\n  api_url: https://a\n  prefix: a\n  default: true\n- name: B\n  api_url: https://b\n  prefix: b\n  default: true\n',
      'cannot set registry b as default - only one default registry allowed, currently set to a',
    ],
    ['registries:\n- just-a-string\n', 'entry #1 must be a mapping'],
    ['registries: {name: x}\n', '"registries" must be a list'],
    ['registries:\n- name: A\n  name: B\n', 'invalid YAML'],
    ['registries: [\n', 'invalid YAML'],
  ])('%#: %s', (text, message) => {
    let error: unknown;
    try {
      parseRegistriesConf(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).code).toBe('config.registries');
    expect((error as PermanentError).message).toContain(message);
  });
});

describe('parseRegistriesConf size limit', () => {
  const entry = (i: number) =>
    `  - name: r${i}\n    prefix: r${i}.example.com\n    api_url: https://r${i}.example.com\n`;

  it('refuses a text over MAX_REGISTRIES_CONF_BYTES before parsing it', () => {
    const big = 'registries:\n' + entry(0) + '#'.repeat(MAX_REGISTRIES_CONF_BYTES);
    const started = Date.now();
    expect(() => parseRegistriesConf(big)).toThrow(PermanentError);
    expect(() => parseRegistriesConf(big)).toThrow('registries.conf: the text is larger than 1 MiB');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('counts bytes, not characters', () => {
    const multiByte = 'registries: []\n#' + 'é'.repeat(MAX_REGISTRIES_CONF_BYTES / 2);
    expect(() => parseRegistriesConf(multiByte)).toThrow('larger than 1 MiB');
  });

  it('accepts a text just under the limit', () => {
    const text = 'registries:\n' + entry(0);
    const padded = text + '#'.repeat(MAX_REGISTRIES_CONF_BYTES - text.length - 1) + '\n';
    expect(parseRegistriesConf(padded)).toHaveLength(1);
  });
});
