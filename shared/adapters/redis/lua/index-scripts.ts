import { defineScript } from './script.ts';
import { LIST_LIB } from './lib.ts';

/**
 * Forgets an app that is no longer tracked: its index entry, and its last result taken out of the
 * running totals atomically (a check finishing at the same time can no longer count it).
 */
export const forgetAppScript = defineScript({
  name: 'index_forget_app',
  keys: ['results', 'totals', 'failed', 'dirty', 'idxApps', 'cpApps', 'idxEntries', 'idxHashes', 'idxAppRepos'],
  args: ['app'],
  lib: LIST_LIB,
  body: `
local a = A_app
local old = split(string.gsub(redis.call('HGET', K_results, a) or '', ' ', SEP))
local TOTALS = { 'considered', 'skipped', 'errors', 'dry' }
if #old > 0 then
  for i, t in ipairs(TOTALS) do
    local v = num(old[i + 1])
    if v ~= 0 then redis.call('HINCRBY', K_totals, t, -v) end
  end
end
redis.call('HDEL', K_results, a)
redis.call('SREM', K_failed, a)
redis.call('SREM', K_dirty, a)
redis.call('SREM', K_idxApps, a)
redis.call('SREM', K_cpApps, a)
redis.call('HDEL', K_idxEntries, a)
redis.call('HDEL', K_idxHashes, a)
redis.call('HDEL', K_idxAppRepos, a)
return 1
`,
});
