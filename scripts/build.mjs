#!/usr/bin/env node
// `npm run build`: the built distribution, dist/tagflow.js (+ chunks loaded on demand per command),
// bundled by esbuild with every npm dependency left external. bin/tagflow.js prefers it.
//
// `node scripts/build.mjs --outdir <dir>` builds elsewhere (tests and scripts/startup-times.mjs build
// a private copy, so a build never pulls files from under a tagflow that is running from dist/).
// The output is written next to its target and renamed into place: a reader sees the old build or
// the new one, never half of each.
import { build } from 'esbuild';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function outdirArg(argv) {
  const i = argv.indexOf('--outdir');
  if (i === -1) return resolve(root, 'dist');
  if (!argv[i + 1]) throw new Error('--outdir needs a directory');
  return resolve(argv[i + 1]);
}

const outdir = outdirArg(process.argv.slice(2));
const staging = `${outdir}.building-${process.pid}`;
const old = `${outdir}.old-${process.pid}`;
await rm(staging, { recursive: true, force: true });
try {
  await build({
    absWorkingDir: root,
    entryPoints: { tagflow: 'apps/cli/entry.ts' },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
  await rename(outdir, old).catch((e) => {
    if (e.code !== 'ENOENT') throw e;
  });
  await rename(staging, outdir);
} finally {
  await rm(staging, { recursive: true, force: true });
  await rm(old, { recursive: true, force: true });
}
