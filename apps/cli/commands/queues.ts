import type { Command } from 'commander';

export interface QueuesFlags {
  redisUrl?: string;
  output: string;
}

/**
 * `tagflow queues`: depths and registry budgets; `queues failed|retry|remove`: the failed jobs.
 * `--redis-url` and `--output` belong to `queues` and are read by every subcommand.
 */
export function registerQueues(program: Command): void {
  const queues = program
    .command('queues')
    .description(
      'Show how many jobs wait, run, failed or completed in each queue, and every registry budget; list, retry or remove failed jobs',
    )
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .option('-o, --output <format>', 'text or json', 'text')
    .configureHelp({ showGlobalOptions: true })
    .action(async (flags: QueuesFlags) => (await import('./queues-action.ts')).queuesAction(flags));
  queues
    .command('failed')
    .description('List the failed jobs (newest first): id, queue, name, attempts, why it failed, when')
    .option('--queue <name>', 'only this queue (cycle, poll, select, patch, commit)')
    .option('--limit <n>', 'at most this many jobs per queue', '100')
    .action(async (_flags: unknown, cmd: Command) =>
      (await import('./queues-failed-action.ts')).failedAction(cmd.optsWithGlobals()),
    );
  queues
    .command('retry')
    .description('Move a failed job (or, with --all, every failed job of the queue) back to waiting')
    .argument('<queue>', 'queue name (cycle, poll, select, patch, commit)')
    .argument('[jobId]', 'the failed job (see `tagflow queues failed`)')
    .option('--all', 'every failed job of the queue')
    .action(async (queue: string, jobId: string | undefined, _flags: unknown, cmd: Command) =>
      (await import('./queues-failed-action.ts')).retryAction(queue, jobId, cmd.optsWithGlobals()),
    );
  queues
    .command('remove')
    .description('Delete a failed job')
    .argument('<queue>', 'queue name (cycle, poll, select, patch, commit)')
    .argument('<jobId>', 'the failed job (see `tagflow queues failed`)')
    .action(async (queue: string, jobId: string, _flags: unknown, cmd: Command) =>
      (await import('./queues-failed-action.ts')).removeAction(queue, jobId, cmd.optsWithGlobals()),
    );
}
