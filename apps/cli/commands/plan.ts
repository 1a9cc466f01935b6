import type { Command } from 'commander';
import { registerAnchorFlags } from '../../../shared/config/anchor-flag-options.ts';
import type { RawFlags } from '../../../shared/config/load-config.ts';
import { clusterOptions } from './cluster-options.ts';

export type PlanFlags = RawFlags & { output?: string; timeout?: string } & Record<string, unknown>;

/** `run` flags that make no sense for a plan (it is always one dry-run cycle, with no server). */
const NOT_FOR_PLAN = new Set(['once', 'dry-run', 'interval', 'health-port']);

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description(
      'Fleet-wide dry run: check every application against its registries and show the changes a run would make (writes nothing)',
    )
    .option(
      '-o, --output <format>',
      'text (a table on stdout, progress on stderr) or json (one object on stdout)',
      'text',
    )
    .option('--timeout <duration>', 'give up when the check takes longer (default 15m)');
  clusterOptions(cmd, 'check')
    .option('--loglevel <level>', 'trace, debug, info, warn or error (default warn; logs go to stderr)')
    .option('--logformat <format>', 'text or json');
  registerAnchorFlags(cmd, NOT_FOR_PLAN);
  cmd.action(async (flags: PlanFlags) => (await import('./plan-action.ts')).planAction(flags));
}
