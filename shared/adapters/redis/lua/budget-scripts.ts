/**
 * Registry budgets in Redis, taken atomically with Redis' own clock so every process agrees.
 * A budget hash holds the token bucket (`tokens` at time `ts`), the registry's signals
 * (`blockedUntil`; `capRate` until `capUntil`) and a per-second count of granted requests
 * (`win`, `winCount`, `lastCount`) for `tagflow queues`.
 */
import { defineScript } from './script.ts';

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** A rate cap below 1/20 of a second's worth of requests still lets one request through at a time. */
const BURST = `local function burstOf(rate) return math.max(1, math.floor(rate / 20)) end`;

/**
 * Grants up to `want` requests now. `rate` 0 = unlimited (only the registry's signals apply).
 * Records how many of this process's jobs wait (those not served by this grant and those told to
 * come back later). Returns { granted, waitMs, tokens × 1000 (-1 when
 * unlimited), capRate × 1000 (0 when none), capForMs }.
 */
export const takeBudgetScript = defineScript({
  name: 'budget_take',
  keys: ['bucket', 'waiting', 'registries'] as const,
  args: ['registry', 'rate', 'want', 'owner', 'waitingJobs', 'deferredJobs', 'waitingUntil'] as const,
  lib: NOW + BURST,
  body: `
local h = redis.call('HMGET', K_bucket, 'tokens', 'ts', 'blockedUntil', 'capRate', 'capUntil', 'win', 'winCount', 'lastCount')
local rate = tonumber(A_rate)
local want = tonumber(A_want)
redis.call('SADD', K_registries, A_registry)
local capRate, capFor = 0, 0
local capUntil = tonumber(h[5]) or 0
if capUntil > now then
  local cap = tonumber(h[4]) or 0
  if cap > 0 and (rate == 0 or cap < rate) then rate = cap; capRate = cap; capFor = capUntil - now end
end
local blocked = tonumber(h[3]) or 0
local granted, wait, tokens = 0, 0, -1
if blocked > now then
  wait = blocked - now
elseif rate <= 0 then
  granted = want
else
  local burst = burstOf(rate)
  tokens = tonumber(h[1])
  local ts = tonumber(h[2]) or now
  if tokens == nil then tokens = burst end
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
  if tokens >= 1 then
    granted = math.min(want, math.floor(tokens))
    tokens = tokens - granted
  else
    wait = math.ceil((1 - tokens) * 1000 / rate)
  end
  redis.call('HSET', K_bucket, 'tokens', tostring(tokens), 'ts', now)
end
local sec = math.floor(now / 1000)
local win = tonumber(h[6]) or sec
local winCount = tonumber(h[7]) or 0
local lastCount = tonumber(h[8]) or 0
if sec ~= win then
  if sec == win + 1 then lastCount = winCount else lastCount = 0 end
  winCount = 0
end
-- this process's jobs still waiting after this grant, and those it told to come back later
local waiting = tonumber(A_deferredJobs)
if granted < want then waiting = waiting + tonumber(A_waitingJobs) end
if waiting > 0 then
  redis.call('HSET', K_waiting, A_owner, waiting .. ':' .. A_waitingUntil)
else
  redis.call('HDEL', K_waiting, A_owner)
end
redis.call('PEXPIRE', K_waiting, 3600000)
redis.call('HSET', K_bucket, 'win', sec, 'winCount', winCount + granted, 'lastCount', lastCount,
  'rate', A_rate, 'seen', now)
redis.call('PEXPIRE', K_bucket, 86400000)
local tok = -1
if tokens >= 0 then tok = math.floor(tokens * 1000) end
return { granted, wait, tok, math.floor(capRate * 1000), capFor }
`,
});

/** The registry's signal: hold everything back for `blockMs`, and/or cap the rate for `windowMs`. */
export const signalBudgetScript = defineScript({
  name: 'budget_signal',
  keys: ['bucket', 'registries'] as const,
  args: ['registry', 'blockMs', 'capRate', 'windowMs'] as const,
  lib: NOW,
  body: `
redis.call('SADD', K_registries, A_registry)
local block = tonumber(A_blockMs) or 0
if block > 0 then
  local until_ = now + block
  local current = tonumber(redis.call('HGET', K_bucket, 'blockedUntil')) or 0
  if until_ > current then redis.call('HSET', K_bucket, 'blockedUntil', until_) end
end
local cap = tonumber(A_capRate) or 0
if cap > 0 then
  redis.call('HSET', K_bucket, 'capRate', tostring(cap), 'capUntil', now + (tonumber(A_windowMs) or 0))
end
redis.call('PEXPIRE', K_bucket, 86400000)
return now
`,
});
