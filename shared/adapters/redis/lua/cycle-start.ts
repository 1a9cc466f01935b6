import { defineScript } from './script.ts';
import { CYCLE_LIB, FINISH_KEYS, LIST_LIB } from './lib.ts';

/**
 * Starts a cycle, once (a retried cycle job gets the first start's answer back).
 *
 * Members: the apps marked dirty (spec or configuration changed), plus for a cycle over every app
 * ("all") those whose last check failed, plus every app on a full re-evaluation. Polls: every
 * tracked repository for "all"; for "changes" only the members' repositories that have no snapshot
 * yet. A member waits for the polls of its repositories in this cycle; one that waits for none is
 * released at once. Returns `{ polls, released, finished }`.
 */
export const startCycleScript = defineScript({
  name: 'cycle_start',
  keys: [
    ...FINISH_KEYS,
    'cycleApps',
    'cycleRepoApps',
    'repoWaiters',
    'appCycles',
    'idxApps',
    'idxAppRepos',
    'idxRepos',
    'dirty',
    'failed',
    'snapHashes',
    'cpStatus',
  ],
  args: ['id', 'now', 'scope', 'full', 'dryRun', 'trigger', 'channel'],
  lib: LIST_LIB + CYCLE_LIB,
  body: `
local id, now, scope = A_id, tonumber(A_now), A_scope
local prev = redis.call('HGET', K_cycleStart, id)
if prev then return prev end
if cget(id, 'startedAt') then return cjson.encode({ polls = {}, released = {}, finished = {} }) end

local members, seen = {}, {}
local function add(a)
  if not seen[a] and redis.call('SISMEMBER', K_idxApps, a) == 1 then
    seen[a] = true
    members[#members + 1] = a
  end
end
for _, a in ipairs(redis.call('SMEMBERS', K_dirty)) do add(a) end
redis.call('DEL', K_dirty)
if scope == 'all' then
  for _, a in ipairs(redis.call('SMEMBERS', K_failed)) do add(a) end
  if A_full == '1' then for _, a in ipairs(redis.call('SMEMBERS', K_idxApps)) do add(a) end end
end

local polls, pollSet = {}, {}
if scope == 'all' then
  for _, r in ipairs(redis.call('HKEYS', K_idxRepos)) do
    pollSet[r] = true
    polls[#polls + 1] = r
  end
end
local appRepos = {}
for i = 1, #members, 500 do
  local chunk = {}
  for j = i, math.min(i + 499, #members) do chunk[#chunk + 1] = members[j] end
  local vals = redis.call('HMGET', K_idxAppRepos, unpack(chunk))
  for j = 1, #chunk do appRepos[chunk[j]] = split(vals[j]) end
end
if scope ~= 'all' then
  for _, a in ipairs(members) do
    for _, r in ipairs(appRepos[a]) do
      if not pollSet[r] and redis.call('HEXISTS', K_snapHashes, r) == 0 and redis.call('HEXISTS', K_idxRepos, r) == 1 then
        pollSet[r] = true
        polls[#polls + 1] = r
      end
    end
  end
end

local released, waitingOn = {}, {}
for _, a in ipairs(members) do
  local wait = 0
  for _, r in ipairs(appRepos[a]) do
    if pollSet[r] then
      wait = wait + 1
      waitingOn[r] = waitingOn[r] or {}
      table.insert(waitingOn[r], a)
    end
  end
  if wait == 0 then
    redis.call('HSET', K_cycleApps, fld(id, a), -1)
    released[#released + 1] = a
  else
    redis.call('HSET', K_cycleApps, fld(id, a), wait)
  end
  appendUnique(K_appCycles, a, id)
end
for r, apps in pairs(waitingOn) do redis.call('HSET', K_cycleRepoApps, fld(id, r), join(apps)) end
for _, r in ipairs(polls) do appendUnique(K_repoWaiters, r, id) end

local applications = #members
local cpErrors = 0
if scope == 'all' then
  applications = redis.call('SCARD', K_idxApps)
  for _, v in ipairs(redis.call('HVALS', K_cpStatus)) do
    local ok, s = pcall(cjson.decode, v)
    if ok and type(s) == 'table' and s.ok == false then cpErrors = cpErrors + 1 end
  end
end
local p = id .. ':'
redis.call('HSET', K_cycles, p .. 'startedAt', now, p .. 'trigger', A_trigger, p .. 'scope', scope, p .. 'dryRun', A_dryRun,
  p .. 'applications', applications, p .. 'polls', #polls, p .. 'apps', #members, p .. 'unselected', #members,
  p .. 'considered', 0, p .. 'skipped', 0, p .. 'errors', 0, p .. 'updated', 0, p .. 'wbErrors', 0, p .. 'cpErrors', cpErrors)
redis.call('ZADD', K_cyclesActive, now, id)
local stored = cjson.encode({ polls = polls, released = released })
redis.call('HSET', K_cycleStart, id, stored)
local finished = {}
tryFinish(id, now, A_channel, finished)
return cjson.encode({ polls = polls, released = released, finished = finished })
`,
});

/** Ends a cycle that could not start (e.g. every control plane unreachable for good). */
export const abortCycleScript = defineScript({
  name: 'cycle_abort',
  keys: [...FINISH_KEYS],
  args: ['id', 'now', 'errors', 'trigger', 'scope', 'channel'],
  lib: LIST_LIB + CYCLE_LIB,
  body: `
local id, now = A_id, tonumber(A_now)
local finished = {}
if cget(id, 'finishedAt') then return cjson.encode({ finished = finished }) end
local p = id .. ':'
if not cget(id, 'startedAt') then
  redis.call('HSET', K_cycles, p .. 'startedAt', now, p .. 'trigger', A_trigger, p .. 'scope', 'changes', p .. 'applications', 0,
    p .. 'polls', 0, p .. 'apps', 0, p .. 'unselected', 0)
end
cincr(id, 'wbErrors', tonumber(A_errors))
finishNow(id, now, A_channel, finished)
return cjson.encode({ finished = finished })
`,
});
