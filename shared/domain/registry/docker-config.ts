/**
 * Credentials from a Docker config JSON (the `.dockerconfigjson` field of an image pull secret),
 * matched like the anchor: the first `auths` key that starts with the registry API URL, or with
 * that URL without its scheme and trailing '/'. Errors never include the auth values.
 */
import { PermanentError } from '../../errors.ts';
import type { RegistryCredentials } from '../model/credentials.ts';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const fail = (message: string): never => {
  throw new PermanentError('credentials.invalid', message);
};

export function dockerConfigAuth(dockerConfig: string | object, registryUrl: string): RegistryCredentials {
  let conf: unknown = dockerConfig;
  if (typeof dockerConfig === 'string') {
    try {
      conf = JSON.parse(dockerConfig);
    } catch {
      fail('image pull secret does not contain valid JSON');
    }
  }
  const auths = isMap(conf) ? conf.auths : undefined;
  if (!isMap(auths)) return fail('no credentials in image pull secret');

  const bare = registryUrl.replace(/^https?:\/\//, '').replace(/\/$/, '');
  for (const [key, entry] of Object.entries(auths)) {
    if (!key.startsWith(registryUrl) && !key.startsWith(bare)) continue;
    if (!isMap(entry)) return fail(`invalid auth entry for registry entry ${key} ('auths' entry should be map)`);
    const auth = entry.auth;
    if (typeof auth !== 'string') return fail(`invalid auth token for registry entry ${key} ('auth' should be string)`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 !== 0) {
      return fail(`could not base64-decode auth data for registry entry ${key}`);
    }
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) return fail(`invalid data after base64 decoding auth entry for registry entry ${key}`);
    return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  return fail(`no valid auth entry for registry ${registryUrl} found in image pull secret`);
}
