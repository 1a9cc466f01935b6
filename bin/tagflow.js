#!/usr/bin/env node
// The `tagflow` command: runs the TypeScript sources directly through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { buildProgram } = await import('../apps/cli/main.ts');
buildProgram()
  .parseAsync(process.argv)
  .catch((e) => {
    console.error(`tagflow: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
