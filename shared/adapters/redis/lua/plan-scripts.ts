import { defineScript } from './script.ts';
import { CYCLE_LIB, FINISH_KEYS, LIST_LIB } from './lib.ts';

const isCurrent = `
local function currentPlan(app, id)
  local cur = redis.call('HGET', K_plans, app)
  if not cur then return false end
  local ok, p = pcall(cjson.decode, cur)
  return ok and type(p) == 'table' and p.id == id
end
`;

/**
 * A write-back of one app's plan ended: acknowledge the plan (only if it is still the app's current
 * one: a newer plan stays pending, with the cycles it inherited) and settle the app in every cycle
 * waiting on it, with its counters. Returns `{ acked, cycles, finished }`.
 */
export const writeBackDoneScript = defineScript({
  name: 'write_back_done',
  keys: [...FINISH_KEYS, 'plans', 'planCycles', 'plansWritten', 'planGroups', 'cycleApps', 'failed'],
  args: ['group', 'app', 'id', 'updated', 'errors', 'now', 'channel'],
  lib: LIST_LIB + CYCLE_LIB + isCurrent,
  body: `
local now, app, group = tonumber(A_now), A_app, A_group
if not currentPlan(app, A_id) then return cjson.encode({ acked = false, cycles = {}, finished = {} }) end
redis.call('HDEL', K_plans, app)
redis.call('HDEL', K_plansWritten, fld(group, app))
if redis.call('HGET', K_planGroups, app) == group then redis.call('HDEL', K_planGroups, app) end
local cycles = split(redis.call('HGET', K_planCycles, fld(group, app)))
redis.call('HDEL', K_planCycles, fld(group, app))
local finished = {}
for _, c in ipairs(cycles) do
  local af = fld(c, app)
  if redis.call('HGET', K_cycleApps, af) == '-2' then
    redis.call('HDEL', K_cycleApps, af)
    if live(c) then
      cincr(c, 'apps', -1)
      cincr(c, 'updated', tonumber(A_updated))
      cincr(c, 'wbErrors', tonumber(A_errors))
      tryFinish(c, now, A_channel, finished)
    end
  end
end
if tonumber(A_errors) > 0 then redis.call('SADD', K_failed, app) end
return cjson.encode({ acked = true, cycles = cycles, finished = finished })
`,
});

/** Records that a plan (if still current) was written as `ref` (commit SHA, resourceVersion), before its ack. */
export const markWrittenScript = defineScript({
  name: 'plan_mark_written',
  keys: ['plans', 'plansWritten'],
  args: ['group', 'app', 'id', 'ref'],
  lib: LIST_LIB + isCurrent,
  body: `
if currentPlan(A_app, A_id) then redis.call('HSET', K_plansWritten, fld(A_group, A_app), A_id .. ' ' .. A_ref) end
return 0
`,
});
