/** RFC 3339 timestamps (with fractional seconds up to nanoseconds) as exact nanoseconds since the epoch. */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseCreated(s: string): bigint | null {
  const m = RFC3339.exec(s.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac = '', zone = 'Z'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  const date = new Date(ms);
  if (Number.isNaN(ms) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const seconds = BigInt(ms / 1000 - offsetMin * 60);
  return seconds * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
}

/**
 * The build date a time-sorted tag list (`tagsortmode`) gives the tag at `index` of `length`, as the
 * anchor: seconds since the epoch, `length - index` when the newest tag comes first (latest-first),
 * `index` when it comes last (latest-last).
 */
export function listPositionCreated(mode: 'latest-first' | 'latest-last', index: number, length: number): string {
  const seconds = mode === 'latest-first' ? length - index : index;
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
