/**
 * Whether a value can replace a plain scalar in a Helm values file without changing how it is read
 * (reference §5.5): Helm reads YAML 1.1, so numbers, booleans (incl. yes/no/on/off/y/n), nulls and
 * anything needing quotes are unsafe.
 */
import { resolvesAsNonString } from './yaml-scalar.ts';

const YAML11_SPECIAL = new Set(['yes', 'no', 'on', 'off', 'y', 'n', 'null', '~', 'true', 'false']);
const BAD_FIRST = new Set(['!', '&', '*', '?', '|', '>', '%', '@', '`', '"', "'", '#', ',', '[', ']', '{', '}', '-']);
const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

export function isSafePlainScalar(s: string): boolean {
  if (s === '' || /[\n\r\t]/.test(s)) return false;
  if (s.includes(': ') || s.includes(' #')) return false;
  if (s.startsWith(' ') || s.endsWith(' ') || s.endsWith(':')) return false;
  if (BAD_FIRST.has(s[0]!)) return false;
  if (YAML11_SPECIAL.has(s.toLowerCase())) return false;
  return !resolvesAsNonString(s) && !BASE60.test(s);
}
