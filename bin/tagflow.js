#!/usr/bin/env node
// The `tagflow` command: the built distribution (dist/, `npm run build`) when it is there and no
// source file is newer than it, else the TypeScript sources through tsx's loader. An installed
// package or the Docker image carries no sources (package.json `files`): it runs dist/ only, and
// never loads a TypeScript loader.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = `${root}dist/tagflow.js`;

function newestSource(dir, newest = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = newestSource(path, newest);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const fromSources = existsSync(`${root}apps`);

function distIsFresh() {
  if (process.env.TAGFLOW_FROM_SOURCE || !existsSync(dist)) return false;
  const built = statSync(dist).mtimeMs;
  return (
    ['apps', 'workers', 'shared'].every((d) => newestSource(`${root}${d}`) <= built) &&
    statSync(`${root}package.json`).mtimeMs <= built
  );
}

if (!fromSources) {
  // an installed package: dist only
  if (!existsSync(dist)) {
    console.error(`tagflow: ${dist} is missing: build it with \`npm run build\``);
    process.exit(1);
  }
  await import(dist);
} else if (distIsFresh()) {
  await import(dist);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../apps/cli/entry.ts');
}
