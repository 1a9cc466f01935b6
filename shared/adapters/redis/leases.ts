import type { Redis } from 'ioredis';
import type { Leases } from '../../ports/leases.ts';
import type { Keys } from './keys.ts';
import { defineScript, registerScripts } from './lua/script.ts';

const hold = defineScript({
  name: 'lease_hold',
  keys: ['lease'],
  args: ['owner', 'ttl'],
  body: `
local cur = redis.call('GET', K_lease)
if not cur then
  redis.call('SET', K_lease, A_owner, 'PX', tonumber(A_ttl))
  return 1
end
if cur == A_owner then
  redis.call('PEXPIRE', K_lease, tonumber(A_ttl))
  return 1
end
return 0
`,
});

const release = defineScript({
  name: 'lease_release',
  keys: ['lease'],
  args: ['owner'],
  body: `
if redis.call('GET', K_lease) == A_owner then redis.call('DEL', K_lease) end
return 0
`,
});

/** Leases as Redis keys with a PX expiry, taken and renewed atomically. */
export class RedisLeases implements Leases {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {
    registerScripts(redis, [hold, release]);
  }

  async hold(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (
      (await hold.run(this.redis, { lease: this.k.lease(name) }, { owner, ttl: Math.max(1, Math.round(ttlMs)) })) === 1
    );
  }

  async release(name: string, owner: string): Promise<void> {
    await release.run(this.redis, { lease: this.k.lease(name) }, { owner });
  }

  holder(name: string): Promise<string | null> {
    return this.redis.get(this.k.lease(name));
  }
}
