import type { Command } from 'commander';

export function registerQueues(program: Command): void {
  program
    .command('queues')
    .description('Show how many jobs wait, run, failed or completed in each queue')
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (flags: { redisUrl?: string; output: string }) => {
      const { BullmqSink } = await import('../../../shared/adapters/queue/bullmq-sink.ts');
      const sink = new BullmqSink(
        flags.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        process.env.TAGFLOW_PREFIX || 'tagflow',
      );
      try {
        const rows = Object.entries(await sink.counts()).map(([queue, counts]) => ({ queue, counts }));
        if (flags.output === 'json') console.log(JSON.stringify(rows, null, 2));
        else {
          console.log('QUEUE     WAITING  ACTIVE  DELAYED  FAILED  COMPLETED');
          for (const r of rows) {
            const c = r.counts;
            const waiting = (c.waiting ?? 0) + (c.prioritized ?? 0);
            const cols = [waiting, c.active ?? 0, c.delayed ?? 0, c.failed ?? 0, c.completed ?? 0].map((n, i) =>
              String(n).padStart([7, 7, 8, 7, 10][i]!),
            );
            console.log(`${r.queue.padEnd(9)} ${cols.join(' ')}`);
          }
        }
      } finally {
        await sink.close();
      }
    });
}
