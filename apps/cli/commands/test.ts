import type { Command } from 'commander';
import { DEFAULT_CONF, type TestFlags } from './test-flags.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerTest(program: Command): void {
  program
    .command('test <image>')
    .description('Ask the registry which tag would be chosen for IMAGE, and explain why')
    .option(
      '--update-strategy <strategy>',
      'semver, newest-build, alphabetical or digest (and the aliases latest, name)',
      'semver',
    )
    .option(
      '--semver-constraint <constraint>',
      'version constraint (for digest: the tag to follow; default the tag of IMAGE)',
    )
    .option('--allow-tags <match>', 'regexp:<re> or any')
    .option('--ignore-tags <glob>', 'tags to ignore (repeatable)', collect, [])
    .option(
      '--platforms <list>',
      'os/arch[/variant],... an image must offer (newest-build, digest; default linux/amd64)',
    )
    .option('--credentials <source>', 'env:VAR, secret:ns/name#field, pullsecret:ns/name or ext:/path')
    .option('--registries-conf-path <file>', `registries.conf (default ${DEFAULT_CONF} when it exists)`)
    .option('--kubeconfig <file>', 'for secret: and pullsecret: credentials')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (image: string, flags: TestFlags) => {
      const { runTest } = await import('./test-answer.ts');
      await runTest(image, flags);
    });
}
