/**
 * The `tagflow` process: parses the command line (argocd-image-updater Deployments may put flags
 * before the command, `--metrics-bind-address=:8443 run`) and turns any failure into one line on
 * stderr and exit code 1. bin/tagflow.js runs this from the built dist, or from source.
 */
import { hoistAnchorFlags } from '../../shared/config/anchor-flag-options.ts';
import { buildProgram } from './main.ts';

buildProgram()
  .parseAsync(hoistAnchorFlags(process.argv.slice(2)), { from: 'user' })
  .catch((e: unknown) => {
    console.error(`tagflow: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
