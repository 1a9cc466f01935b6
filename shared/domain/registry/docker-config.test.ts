import { describe, expect, it } from 'vitest';
import { vectors } from '../../../test/helpers/vectors.ts';
import { PermanentError } from '../../errors.ts';
import { dockerConfigAuth } from './docker-config.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('dockerConfigAuth (compat vectors)', () => {
  it.each(
    vectors<{
      dockerConfigJson: object;
      registryURL: string;
      expected: { username?: string; password?: string; error?: string };
    }>('dockerconfig-auth'),
  )('$id: $registryURL', ({ dockerConfigJson, registryURL, expected }) => {
    if (expected.error) {
      expect(() => dockerConfigAuth(JSON.stringify(dockerConfigJson), registryURL)).toThrow(expected.error);
    } else {
      expect(dockerConfigAuth(JSON.stringify(dockerConfigJson), registryURL)).toEqual(expected);
    }
  });
});

describe('dockerConfigAuth (more cases)', () => {
  it('picks the entry matching the registry among several', () => {
    const conf = { auths: { 'ghcr.io': { auth: b64('a:1') }, 'registry.example.com:5000': { auth: b64('b:2:x') } } };
    expect(dockerConfigAuth(conf, 'https://registry.example.com:5000')).toEqual({ username: 'b', password: '2:x' });
  });

  it.each([
    [{ auths: { 'ghcr.io': { auth: b64('a:1') } } }, 'no valid auth entry for registry https://quay.io'],
    [{ auths: { 'quay.io': 'x' } }, "'auths' entry should be map"],
    [{ auths: { 'quay.io': { auth: 5 } } }, "'auth' should be string"],
    [{ auths: { 'quay.io': { auth: '!!notb64' } } }, 'could not base64-decode'],
    [{ auths: { 'quay.io': { auth: b64('nocolon') } } }, 'invalid data after base64 decoding'],
  ])('rejects %j', (conf, message) => {
    expect(() => dockerConfigAuth(conf, 'https://quay.io')).toThrow(message);
  });

  it('rejects invalid JSON without echoing it', () => {
    const call = () => dockerConfigAuth('{"auths": secret-stuff', 'https://quay.io');
    expect(call).toThrow(PermanentError);
    expect(call).not.toThrow(/secret-stuff/);
  });
});
