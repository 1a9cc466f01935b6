/**
 * Lua helpers shared by the fleet engine's scripts. Lists in hash fields are '\n'-joined (app keys,
 * repository keys and cycle ids never contain a newline); composite fields are `<a>\n<b>`.
 */
export const LIST_LIB = `
local SEP = '\\n'
local function split(s)
  local out = {}
  if not s then return out end
  for part in string.gmatch(s, '[^\\n]+') do out[#out + 1] = part end
  return out
end
local function join(items) return table.concat(items, SEP) end
local function fld(a, b) return a .. SEP .. b end
local function num(v) return tonumber(v) or 0 end
local function contains(items, value)
  for _, v in ipairs(items) do if v == value then return true end end
  return false
end
local function appendUnique(key, f, value)
  local cur = redis.call('HGET', key, f)
  if not cur then redis.call('HSET', key, f, value) return end
  if contains(split(cur), value) then return end
  redis.call('HSET', key, f, cur .. SEP .. value)
end
local function appendList(key, f, value)
  local cur = redis.call('HGET', key, f)
  if not cur then redis.call('HSET', key, f, value) else redis.call('HSET', key, f, cur .. SEP .. value) end
end
local function removeFrom(key, f, value)
  local kept = {}
  for _, v in ipairs(split(redis.call('HGET', key, f))) do if v ~= value then kept[#kept + 1] = v end end
  if #kept == 0 then redis.call('HDEL', key, f) else redis.call('HSET', key, f, join(kept)) end
end
`;

/** The fields a cycle keeps in the cycles hash, as `<cycle>:<field>`. */
export const CYCLE_FIELDS = [
  'startedAt',
  'finishedAt',
  'trigger',
  'scope',
  'dryRun',
  'applications',
  'polls',
  'apps',
  'unselected',
  'considered',
  'skipped',
  'errors',
  'updated',
  'wbErrors',
  'cpErrors',
  'summary',
] as const;

/** Keys every script that may finish a cycle declares. */
export const FINISH_KEYS = [
  'cycles',
  'cycleStart',
  'cycleBatches',
  'cyclesActive',
  'cyclesDone',
  'totals',
  'steps',
  'stepsAt',
] as const;

type FinishKeys = Record<(typeof FINISH_KEYS)[number], string>;

/** The values of FINISH_KEYS from the one key layout (the names are Keys' getters). */
export function finishKeysOf(keys: FinishKeys): FinishKeys {
  return Object.fromEntries(FINISH_KEYS.map((name) => [name, keys[name]])) as FinishKeys;
}

/**
 * Cycle counters and completion. A cycle is finished when no poll and no app is outstanding; the
 * script that finishes it writes the summary (the `Processing results` counters), publishes the id
 * and returns the summary so its caller logs the line. A cycle over every app ("all") reports the
 * latest check of every app (the running totals); a cycle over changed apps reports those apps.
 */
export const CYCLE_LIB = `
local CYCLE_FIELDS = { ${CYCLE_FIELDS.map((f) => `'${f}'`).join(', ')} }
local function cget(c, name) return redis.call('HGET', K_cycles, c .. ':' .. name) end
local function cincr(c, name, by)
  if by and by ~= 0 then redis.call('HINCRBY', K_cycles, c .. ':' .. name, by) end
end
local function live(c) return cget(c, 'startedAt') and not cget(c, 'finishedAt') end
local function housekeeping(now)
  local old = redis.call('ZRANGEBYSCORE', K_cyclesDone, '-inf', now - 172800000, 'LIMIT', 0, 20)
  for _, o in ipairs(old) do
    for _, f in ipairs(CYCLE_FIELDS) do redis.call('HDEL', K_cycles, o .. ':' .. f) end
    redis.call('ZREM', K_cyclesDone, o)
  end
  local steps = redis.call('ZRANGEBYSCORE', K_stepsAt, '-inf', now - 86400000, 'LIMIT', 0, 500)
  for _, s in ipairs(steps) do
    redis.call('HDEL', K_steps, s)
    redis.call('ZREM', K_stepsAt, s)
  end
end
local function summaryOf(c, now)
  local s = { cycleId = c, startedAt = num(cget(c, 'startedAt')), finishedAt = now, pending = 0,
    trigger = cget(c, 'trigger') or '', scope = cget(c, 'scope') or '', applications = num(cget(c, 'applications')) }
  local extra = num(cget(c, 'wbErrors')) + num(cget(c, 'cpErrors'))
  local updated = num(cget(c, 'updated'))
  if s.scope == 'all' then
    local t = redis.call('HMGET', K_totals, 'considered', 'skipped', 'errors', 'dry')
    s.images_considered = num(t[1])
    s.images_skipped = num(t[2])
    s.errors = num(t[3]) + extra
    if cget(c, 'dryRun') == '1' then updated = num(t[4]) end
  else
    s.images_considered = num(cget(c, 'considered'))
    s.images_skipped = num(cget(c, 'skipped'))
    s.errors = num(cget(c, 'errors')) + extra
  end
  s.images_updated = updated
  return s
end
local function finishNow(c, now, channel, finished)
  redis.call('HSET', K_cycles, c .. ':finishedAt', now)
  redis.call('ZREM', K_cyclesActive, c)
  redis.call('ZADD', K_cyclesDone, now, c)
  redis.call('HDEL', K_cycleStart, c)
  redis.call('HDEL', K_cycleBatches, c)
  local json = cjson.encode(summaryOf(c, now))
  redis.call('HSET', K_cycles, c .. ':summary', json)
  redis.call('PUBLISH', channel, c)
  finished[#finished + 1] = json
  housekeeping(now)
end
local function tryFinish(c, now, channel, finished)
  if not live(c) then return end
  if num(cget(c, 'polls')) > 0 or num(cget(c, 'apps')) > 0 then return end
  finishNow(c, now, channel, finished)
end
local function remember(step, now, result)
  redis.call('HSET', K_steps, step, result)
  redis.call('ZADD', K_stepsAt, now, step)
  return result
end
`;
