import { BullmqSink } from '../../../shared/adapters/queue/bullmq-sink.ts';
import { createRedis } from '../../../shared/adapters/redis/connection.ts';
import { Keys } from '../../../shared/adapters/redis/keys.ts';
import { RedisRequestBudgets } from '../../../shared/adapters/redis/request-budgets.ts';
import { silentLogger } from '../../../shared/logging/logger.ts';
import type { BudgetState } from '../../../shared/ports/request-budget.ts';
import type { QueuesFlags } from './queues.ts';

export const redisUrlOf = (flags: { redisUrl?: string }) =>
  flags.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const prefixOf = () => process.env.TAGFLOW_PREFIX || 'tagflow';

/** `tagflow queues`: the depth of every queue and every registry budget. */
export async function queuesAction(flags: QueuesFlags): Promise<void> {
  const url = redisUrlOf(flags);
  const prefix = prefixOf();
  const sink = new BullmqSink(url, prefix);
  const redis = createRedis(url, 'queues');
  try {
    const rows = Object.entries(await sink.counts()).map(([queue, counts]) => ({ queue, counts }));
    const registries = await new RedisRequestBudgets(redis, new Keys(prefix), {
      owner: 'queues',
      log: silentLogger(),
    }).states();
    if (flags.output === 'json') return void console.log(JSON.stringify({ queues: rows, registries }, null, 2));
    console.log('QUEUE     WAITING  ACTIVE  DELAYED  FAILED  COMPLETED');
    for (const r of rows) {
      const c = r.counts;
      const waiting = (c.waiting ?? 0) + (c.prioritized ?? 0);
      const cols = [waiting, c.active ?? 0, c.delayed ?? 0, c.failed ?? 0, c.completed ?? 0].map((n, i) =>
        String(n).padStart([7, 7, 8, 7, 10][i]!),
      );
      console.log(`${r.queue.padEnd(9)} ${cols.join(' ')}`);
    }
    if (registries.length > 0) console.log(`\n${budgetTable(registries)}`);
  } finally {
    await sink.close();
    redis.disconnect();
  }
}

/** REGISTRY, configured rate, requests in the last second, tokens left, jobs waiting, what the registry asked. */
export function budgetTable(states: readonly BudgetState[]): string {
  const rows = states.map((s) => [
    s.key,
    s.configuredRate === null ? 'unlimited' : `${s.configuredRate}/s`,
    `${s.currentRate}/s`,
    s.tokens === null ? '-' : String(s.tokens),
    String(s.waitingJobs),
    s.blockedForMs > 0
      ? `held back ${Math.ceil(s.blockedForMs / 1000)} s`
      : s.signalledRate !== null
        ? `${Math.round(s.signalledRate * 1000) / 1000}/s for ${Math.ceil(s.signalledForMs / 1000)} s`
        : '-',
  ]);
  return textTable(['REGISTRY', 'LIMIT', 'CURRENT', 'TOKENS', 'WAITING', 'REGISTRY ASKED'], rows);
}

/** Columns padded to their widest cell, two spaces apart. */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
