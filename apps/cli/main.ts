import { Command } from 'commander';
import { registerRun } from './commands/run.ts';
import { registerTest } from './commands/test.ts';
import { registerAudit } from './commands/audit.ts';
import { registerQueues } from './commands/queues.ts';
import { registerWebhook } from './commands/webhook.ts';
import { registerPlan } from './commands/plan.ts';
import { VERSION } from './version.ts';

/** `tagflow`: one binary, every role and every tool. */
export function buildProgram(): Command {
  const program = new Command('tagflow')
    .description(
      'Keeps Argo CD applications on the newest acceptable container image (argocd-image-updater compatible).',
    )
    .version(VERSION, '--version');
  registerRun(program);
  registerTest(program);
  registerAudit(program);
  registerQueues(program);
  registerWebhook(program);
  registerPlan(program);
  program
    .command('version')
    .description('Print the version')
    .action(() => console.log(`tagflow ${VERSION}`));
  return program;
}
