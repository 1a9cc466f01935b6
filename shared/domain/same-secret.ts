/**
 * Constant-time equality of two secrets of any length (webhook secrets, the API token, session
 * signatures): both sides are hashed to equal-length digests first, so neither a length nor a
 * prefix leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
