/**
 * The JSON Web Token a GitHub App authenticates with (RS256, `iat` 60 s in the past against clock
 * drift, `exp` 9 minutes ahead: GitHub refuses more than 10, `iss` = the app id). A key that does not
 * parse is a PermanentError that names the app, never the key.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { PermanentError } from '../../errors.ts';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function readAppPrivateKey(pem: string, appId: string, where: string): KeyObject {
  try {
    const key = createPrivateKey({ key: pem.replace(/\\n/g, '\n').trim(), format: 'pem' });
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return key;
  } catch {
    throw new PermanentError(
      'git.credentials',
      `githubAppPrivateKey of GitHub App ${appId} (${where}) is not a PEM-encoded RSA private key`,
    );
  }
}

export function githubAppJwt(appId: string, key: KeyObject, nowMs = Date.now()): string {
  const now = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ iat: now - 60, exp: now + 540, iss: appId }));
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), key);
  return `${header}.${claims}.${b64url(signature)}`;
}
