/**
 * Memoizes a pure function of a string (a compiled pattern, a parsed constraint or version): a
 * fleet of thousands of apps shares a handful of allow-tags patterns and constraints and the same
 * tag names, so each is compiled once, not once per app per check. Bounded: when full, the oldest
 * half is dropped. Values must be treated as immutable by callers.
 */
export function memoize<T>(fn: (key: string) => T, max = 4096): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as T;
    const value = fn(key);
    if (cache.size >= max) {
      let drop = max / 2;
      for (const k of cache.keys()) {
        cache.delete(k);
        if (--drop <= 0) break;
      }
    }
    cache.set(key, value);
    return value;
  };
}
