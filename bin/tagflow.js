#!/usr/bin/env node
// The `tagflow` command: the built distribution (dist/, `npm run build`) when it is there and no
// source file is newer than it, else the TypeScript sources through tsx's loader.
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

function distIsFresh() {
  if (process.env.TAGFLOW_FROM_SOURCE || !existsSync(dist)) return false;
  if (!existsSync(`${root}apps`)) return true; // an installed package: dist only
  const built = statSync(dist).mtimeMs;
  return (
    ['apps', 'workers', 'shared'].every((d) => newestSource(`${root}${d}`) <= built) &&
    statSync(`${root}package.json`).mtimeMs <= built
  );
}

if (distIsFresh()) {
  await import(dist);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../apps/cli/entry.ts');
}
