#!/usr/bin/env node
// The `tagflow` command: runs the TypeScript sources directly through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { buildProgram } = await import('../apps/cli/main.ts');
const { hoistAnchorFlags } = await import('../shared/config/anchor-flags.ts');
// argocd-image-updater Deployments may put flags before the command (`--metrics-bind-address=:8443 run`)
buildProgram()
  .parseAsync(hoistAnchorFlags(process.argv.slice(2)), { from: 'user' })
  .catch((e) => {
    console.error(`tagflow: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
