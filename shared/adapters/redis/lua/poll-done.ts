import { defineScript } from './script.ts';
import { CYCLE_LIB, FINISH_KEYS, LIST_LIB } from './lib.ts';

/**
 * Repositories were polled: for each, store its snapshot (unless none is given = nothing new was
 * fetched) and, in the same step, tell every cycle waiting for it. Apps of those cycles whose last
 * awaited poll this was are released; when the snapshot changed, every app using the repository is
 * taken into each waiting cycle (waiting for the cycle's other polls of its repositories, if any),
 * or, when no cycle waits, released on its own. When this was a cycle's last poll and its apps were
 * all checked already, the commit batches parked on it are released.
 *
 * ARGV `polls`: `[{ r: repo, s?: snapshot JSON, h?: hash }]`; the extra keys are, per poll in order,
 * its snapshot key and its repository → apps set. One step for all of them, idempotent per `step`.
 * Returns `{ repos, changed: [repo], released, batches, finished }`.
 */
export const pollDoneScript = defineScript({
  name: 'poll_done',
  keys: [...FINISH_KEYS, 'snapHashes', 'repoWaiters', 'cycleRepoApps', 'cycleApps', 'appCycles', 'idxAppRepos'],
  args: ['step', 'polls', 'now', 'channel'],
  lib: LIST_LIB + CYCLE_LIB,
  body: `
local now = tonumber(A_now)
local prev = redis.call('HGET', K_steps, A_step)
if prev then return prev end
local released, relSeen, finished, batches, changedRepos = {}, {}, {}, {}, {}
local function rel(a)
  if not relSeen[a] then
    relSeen[a] = true
    released[#released + 1] = a
  end
end

local function polled(repo, snapKey, repoAppsKey, snapshot, hash)
  local changed = false
  if snapshot then
    changed = redis.call('HGET', K_snapHashes, repo) ~= hash
    redis.call('SET', snapKey, snapshot)
    redis.call('HSET', K_snapHashes, repo, hash)
  end
  if changed then changedRepos[#changedRepos + 1] = repo end
  local waiters = split(redis.call('HGET', K_repoWaiters, repo))
  redis.call('HDEL', K_repoWaiters, repo)
  local repoApps = {}
  if changed then repoApps = redis.call('SMEMBERS', repoAppsKey) end
  for _, c in ipairs(waiters) do
    if live(c) then
      cincr(c, 'polls', -1)
      local f = fld(c, repo)
      for _, a in ipairs(split(redis.call('HGET', K_cycleRepoApps, f))) do
        local af = fld(c, a)
        if redis.call('HINCRBY', K_cycleApps, af, -1) == 0 then
          redis.call('HSET', K_cycleApps, af, -1)
          rel(a)
        end
      end
      redis.call('HDEL', K_cycleRepoApps, f)
      local added = 0
      for _, a in ipairs(repoApps) do
        local af = fld(c, a)
        if redis.call('HEXISTS', K_cycleApps, af) == 0 then
          -- a change takes the app into this cycle; it still waits for the cycle's pending polls of its other repositories
          local wait = 0
          for _, r2 in ipairs(split(redis.call('HGET', K_idxAppRepos, a))) do
            if r2 ~= repo and contains(split(redis.call('HGET', K_repoWaiters, r2)), c) then
              wait = wait + 1
              appendList(K_cycleRepoApps, fld(c, r2), a)
            end
          end
          if wait == 0 then
            redis.call('HSET', K_cycleApps, af, -1)
            rel(a)
          else
            redis.call('HSET', K_cycleApps, af, wait)
          end
          appendUnique(K_appCycles, a, c)
          added = added + 1
        end
      end
      cincr(c, 'apps', added)
      cincr(c, 'unselected', added)
      -- every app was checked before this last poll ended: the parked commit batches go now
      if num(cget(c, 'polls')) == 0 and num(cget(c, 'unselected')) == 0 then
        for _, b in ipairs(split(redis.call('HGET', K_cycleBatches, c))) do
          if not contains(batches, b) then batches[#batches + 1] = b end
        end
        redis.call('HDEL', K_cycleBatches, c)
      end
      tryFinish(c, now, A_channel, finished)
    end
  end
  if #waiters == 0 then for _, a in ipairs(repoApps) do rel(a) end end
end

local repos = {}
for i, p in ipairs(cjson.decode(A_polls)) do
  polled(p.r, KEYS[NKEYS + 2 * i - 1], KEYS[NKEYS + 2 * i], p.s, p.h)
  repos[#repos + 1] = p.r
end
return remember(A_step, now, cjson.encode({ repos = repos, changed = changedRepos, released = released, batches = batches, finished = finished }))
`,
});
