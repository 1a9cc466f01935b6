import { isCursor, parseTime } from '../../../shared/audit/audit-query.ts';

export class ParamError extends Error {}

export interface CommonParams {
  controlPlane?: string;
  app?: string;
  image?: string;
  outcome?: string;
  kind?: string;
  search?: string;
  since?: number;
  until?: number;
  limit: number;
  cursor?: string;
  offset: number;
}

const MAX_LIMIT = 500;

/** Filters and paging of a request (`cp`, `app`, `image`, `outcome`, `kind`, `q`, `since`, `until`, `limit`, `cursor`, `offset`). */
export function readParams(url: URL, o: { cursor: 'record' | 'app' | 'none' } = { cursor: 'none' }): CommonParams {
  const p = url.searchParams;
  const str = (name: string, max = 300) => {
    const v = p.get(name)?.trim();
    if (!v) return undefined;
    if (v.length > max) throw new ParamError(`${name}: longer than ${max} characters`);
    return v;
  };
  const time = (name: string) => {
    const v = str(name, 64);
    if (v === undefined) return undefined;
    const t = parseTime(v);
    if (t === null)
      throw new ParamError(`${name}: not a time: "${v}" (ISO date, epoch ms, or a duration ago such as 2h)`);
    return t;
  };
  const int = (name: string, dflt: number, max: number) => {
    const v = str(name, 10);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) > max) throw new ParamError(`${name}: expected a whole number up to ${max}`);
    return Number(v);
  };
  const limit = Math.max(1, int('limit', 50, MAX_LIMIT));
  const cursor = str('cursor', 1000);
  if (cursor && o.cursor === 'record' && !isCursor(cursor))
    throw new ParamError(`cursor: not a record id: "${cursor}"`);
  const out: CommonParams = { limit, offset: int('offset', 0, 1_000_000) };
  const set = <K extends keyof CommonParams>(k: K, v: CommonParams[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('controlPlane', str('cp') ?? str('controlPlane'));
  set('app', str('app'));
  set('image', str('image'));
  set('outcome', str('outcome', 32));
  set('kind', str('kind', 32));
  set('search', str('q'));
  set('since', time('since'));
  set('until', time('until'));
  if (o.cursor !== 'none') set('cursor', cursor);
  return out;
}
