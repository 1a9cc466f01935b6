/**
 * Sessions of the dashboard without server-side state: the cookie holds a random session id, its
 * expiry and an HMAC of both under a key derived from the API token (never the token itself), so
 * every api replica accepts it and changing the token signs everyone out. The CSRF token of a
 * session is an HMAC of its id under the same key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { sameSecret } from '../../../shared/domain/same-secret.ts';

export const SESSION_COOKIE = 'tagflow_session';
export const SESSION_TTL_MS = 12 * 3600_000;

export interface Session {
  id: string;
  expiresAt: number;
  csrf: string;
}

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('base64url');

export class SessionSigner {
  private readonly key: Buffer;

  constructor(token: string) {
    this.key = createHmac('sha256', token).update('tagflow-dashboard-session-v1').digest();
  }

  issue(now = Date.now()): { value: string; session: Session } {
    const id = randomBytes(18).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    const body = `${id}.${expiresAt}`;
    return { value: `${body}.${mac(this.key, body)}`, session: this.session(id, expiresAt) };
  }

  /** The session a cookie value stands for, or null (forged, altered, expired). */
  verify(value: string | undefined, now = Date.now()): Session | null {
    const m = value ? /^([A-Za-z0-9_-]{16,64})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
    if (!m) return null;
    const [, id, exp, sig] = m as unknown as [string, string, string, string];
    if (!sameSecret(sig, mac(this.key, `${id}.${exp}`))) return null;
    const expiresAt = Number(exp);
    return expiresAt > now ? this.session(id, expiresAt) : null;
  }

  private session(id: string, expiresAt: number): Session {
    return { id, expiresAt, csrf: mac(this.key, `csrf.${id}`) };
  }
}
