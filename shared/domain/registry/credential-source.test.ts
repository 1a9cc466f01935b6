import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import {
  credentialsFromEnvValue,
  credentialsFromScriptOutput,
  credentialsFromSecretValue,
  formatCredentialSource,
  parseCredentialSource,
  type CredentialSource,
} from './credential-source.ts';

/** Vector field names (the anchor's Go struct) → ours. */
const FIELD: Record<string, keyof CredentialSource> = {
  registry: 'registry',
  type: 'type',
  namespace: 'namespace',
  name: 'name',
  field: 'field',
  scriptPath: 'path',
  envName: 'env',
};

describe('parseCredentialSource (compat vectors)', () => {
  it.each(vectors<{ input: string; requirePrefix: boolean; expected: Record<string, unknown> }>('credential-parse'))(
    '$id: $input',
    ({ input, requirePrefix, expected }) => {
      if (expected.error) {
        expect(() => parseCredentialSource(input, requirePrefix)).toThrow(PermanentError);
        return;
      }
      const parsed = parseCredentialSource(input, requirePrefix);
      for (const [key, value] of Object.entries(expected)) expect(parsed[FIELD[key]!]).toEqual(value);
      if (!('registry' in expected)) expect(parsed.registry).toBeUndefined();
    },
  );
});

describe('parseCredentialSource (more cases)', () => {
  it.each([
    ['env:MY_CREDS', false, { type: 'env', env: 'MY_CREDS' }],
    ['ENV:MY_CREDS', false, { type: 'env', env: 'MY_CREDS' }],
    ['ghcr.io=env:GH', true, { registry: 'ghcr.io', type: 'env', env: 'GH' }],
    ['secret:argocd/creds#token', false, { type: 'secret', namespace: 'argocd', name: 'creds', field: 'token' }],
    [
      'pullsecret:argocd/regcred',
      false,
      { type: 'pullsecret', namespace: 'argocd', name: 'regcred', field: '.dockerconfigjson' },
    ],
  ] as const)('%s', (input, requirePrefix, expected) => {
    expect(parseCredentialSource(input, requirePrefix)).toEqual(expected);
  });

  it.each([
    ['env:', 'expected <type>:<source>'],
    ['env:A:B', 'expected <type>:<source>'],
    ['vault:x', 'unknown credential source type "vault"'],
    ['secret:ns/name', 'secret:<namespace>/<name>#<field>'],
    ['secret:ns/name#a#b', 'secret:<namespace>/<name>#<field>'],
    ['pullsecret:a/b/c', 'pullsecret:<namespace>/<name>'],
    ['=env:X', 'unknown credential source type "=env"'],
  ])('rejects %s naming the problem', (input, why) => {
    expect(() => parseCredentialSource(input, false)).toThrow(why);
  });

  it('round-trips through formatCredentialSource', () => {
    for (const s of ['gcr.io=secret:a/b#c', 'pullsecret:a/b', 'env:X', 'quay.io=ext:/bin/creds']) {
      expect(formatCredentialSource(parseCredentialSource(s, false))).toBe(s);
    }
  });
});

describe('credential values', () => {
  it.each(
    vectors<{ envValue: string; expected: { username?: string; password?: string; error?: boolean } }>(
      'credential-fetch-env',
    ),
  )('$id: env value', ({ envValue, expected }) => {
    if (expected.error) expect(() => credentialsFromEnvValue('MY_VAR', envValue)).toThrow(PermanentError);
    else expect(credentialsFromEnvValue('MY_VAR', envValue)).toEqual(expected);
  });

  it('env: unset variable names the variable, malformed value is not echoed', () => {
    expect(() => credentialsFromEnvValue('MY_VAR', undefined)).toThrow("env 'MY_VAR' is not set");
    expect(() => credentialsFromEnvValue('MY_VAR', ':s3cret')).toThrow(/MY_VAR is malformed/);
    expect(() => credentialsFromEnvValue('MY_VAR', ':s3cret')).not.toThrow(/s3cret/);
  });

  it.each(
    vectors<{ secretField: string; secretValue: string; expected: { username: string; password: string } }>(
      'credential-fetch-secret',
    ),
  )('$id: secret field value', ({ secretField, secretValue, expected }) => {
    expect(credentialsFromSecretValue({ namespace: 'ns', name: 'n', field: secretField }, secretValue)).toEqual(
      expected,
    );
  });

  it('secret: splits on the first colon and rejects a value without one', () => {
    expect(credentialsFromSecretValue({}, 'u:p:q')).toEqual({ username: 'u', password: 'p:q' });
    expect(() => credentialsFromSecretValue({ namespace: 'ns', name: 'n', field: 'f' }, 'nocolon')).toThrow(
      "field 'f'",
    );
  });

  it('ext: trims the output', () => {
    expect(credentialsFromScriptOutput('/x', 'user:tok\n')).toEqual({ username: 'user', password: 'tok' });
    expect(() => credentialsFromScriptOutput('/x', 'garbage\n')).toThrow('<username>:<password>');
  });
});
