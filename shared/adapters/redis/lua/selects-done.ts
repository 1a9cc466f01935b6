import { defineScript } from './script.ts';
import { CYCLE_LIB, FINISH_KEYS, LIST_LIB } from './lib.ts';

/**
 * A batch of apps was checked. For each app, in one atomic step:
 *  - its result (images considered/skipped, errors, dry-run updates) replaces the previous one
 *    unless a check that started later already recorded its own (`seq` orders checks), keeping the
 *    running totals and the failed set right;
 *  - a write-back plan, if any, becomes the app's pending plan in its group (moving out of the
 *    group it was in before, with the cycles waiting on it);
 *  - every cycle in which the app was released is told: the app is done, or waits for its write-back.
 * A commit batch is released when every app of its cycles was checked (so one cycle's changes to a
 * branch go in one commit), or at once for an app outside any cycle.
 *
 * ARGV `payload`: `{ dryRun, apps: [{ a, c: [considered, skipped, errors, dry], f: 0|1,
 *   p?: { k, g, json, b? }, og?, ok? }] }` where `k`/`ok` index the extra keys (the plan hashes of
 *   the new and the old group) and `og` is the group the caller read for the app (checked here: a
 *   mismatch answers `{ retry = true }`).
 * Returns `{ batches, finished, patches }` (`patches`: the payload's, kept so a retried job enqueues
 * the same argocd write-backs); idempotent per `step`.
 */
export const selectsDoneScript = defineScript({
  name: 'selects_done',
  keys: [
    ...FINISH_KEYS,
    'results',
    'failed',
    'appCycles',
    'cycleApps',
    'idxApps',
    'planCycles',
    'plansWritten',
    'planGroups',
  ],
  args: ['step', 'now', 'seq', 'channel', 'payload'],
  lib: LIST_LIB + CYCLE_LIB,
  body: `
local now, seq = tonumber(A_now), tonumber(A_seq)
local prev = redis.call('HGET', K_steps, A_step)
if prev then return prev end
local input = cjson.decode(A_payload)
for _, r in ipairs(input.apps) do
  if r.p then
    local g = redis.call('HGET', K_planGroups, r.a) or ''
    if g ~= (r.og or '') then return cjson.encode({ retry = true }) end
  end
end

local batches, bseen, finished, touched = {}, {}, {}, {}
local function addBatch(b)
  if not bseen[b] then
    bseen[b] = true
    batches[#batches + 1] = b
  end
end
local TOTALS = { 'considered', 'skipped', 'errors', 'dry' }
-- counters are summed here and written once per cycle / once for the totals
local totalDelta = { 0, 0, 0, 0 }
local cycleDelta = {}
local function add(c, name, by)
  if not by or by == 0 then return end
  cycleDelta[c] = cycleDelta[c] or {}
  cycleDelta[c][name] = (cycleDelta[c][name] or 0) + by
end

for _, r in ipairs(input.apps) do
  local a = r.a
  local tracked = redis.call('SISMEMBER', K_idxApps, a) == 1
  local fresh = tracked
  if tracked then
    local old = split(string.gsub(redis.call('HGET', K_results, a) or '', ' ', SEP))
    if #old > 0 and num(old[1]) > seq then fresh = false end
    if fresh then
      for i = 1, 4 do totalDelta[i] = totalDelta[i] + num(r.c[i]) - num(old[i + 1]) end
      redis.call('HSET', K_results, a, table.concat({ seq, num(r.c[1]), num(r.c[2]), num(r.c[3]), num(r.c[4]) }, ' '))
      if r.f == 1 then redis.call('SADD', K_failed, a) else redis.call('SREM', K_failed, a) end
    end
  end
  local planned = false
  if fresh and r.p then
    local g = r.p.g
    if r.og and r.og ~= '' and r.og ~= g then
      redis.call('HDEL', KEYS[NKEYS + r.ok], a)
      redis.call('HDEL', K_plansWritten, fld(r.og, a))
      local moved = split(redis.call('HGET', K_planCycles, fld(r.og, a)))
      redis.call('HDEL', K_planCycles, fld(r.og, a))
      for _, c in ipairs(moved) do appendUnique(K_planCycles, fld(g, a), c) end
    end
    redis.call('HSET', KEYS[NKEYS + r.p.k], a, r.p.json)
    redis.call('HSET', K_planGroups, a, g)
    planned = true
  end

  local keep, settled = {}, false
  for _, c in ipairs(split(redis.call('HGET', K_appCycles, a))) do
    local af = fld(c, a)
    local st = redis.call('HGET', K_cycleApps, af)
    if st == '-1' and live(c) then
      add(c, 'unselected', -1)
      add(c, 'considered', num(r.c[1]))
      add(c, 'skipped', num(r.c[2]))
      add(c, 'errors', num(r.c[3]))
      if input.dryRun then add(c, 'updated', num(r.c[4])) end
      if planned then
        redis.call('HSET', K_cycleApps, af, -2)
        appendUnique(K_planCycles, fld(r.p.g, a), c)
        if r.p.b then appendUnique(K_cycleBatches, c, r.p.b) end
      else
        redis.call('HDEL', K_cycleApps, af)
        add(c, 'apps', -1)
      end
      touched[c] = true
      settled = true
    elseif st and num(st) > 0 and live(c) then
      keep[#keep + 1] = c
    elseif st and not live(c) then
      redis.call('HDEL', K_cycleApps, af)
    end
  end
  if #keep > 0 then redis.call('HSET', K_appCycles, a, join(keep)) else redis.call('HDEL', K_appCycles, a) end
  if planned and r.p.b and not settled then addBatch(r.p.b) end
end

for i, t in ipairs(TOTALS) do
  if totalDelta[i] ~= 0 then redis.call('HINCRBY', K_totals, t, totalDelta[i]) end
end
for c, deltas in pairs(cycleDelta) do
  for name, by in pairs(deltas) do cincr(c, name, by) end
end
for c in pairs(touched) do
  if num(cget(c, 'polls')) == 0 and num(cget(c, 'unselected')) == 0 then
    for _, b in ipairs(split(redis.call('HGET', K_cycleBatches, c))) do addBatch(b) end
    redis.call('HDEL', K_cycleBatches, c)
  end
  tryFinish(c, now, A_channel, finished)
end
return remember(A_step, now, cjson.encode({ batches = batches, finished = finished, patches = input.patches or {} }))
`,
});
