/**
 * Joins a user-provided path (annotation `write-back-target`, source path) to a working copy so
 * that it can never leave it: no absolute paths, no `..` segments, nothing under `.git`, and no
 * symlink (existing or dangling) that resolves outside the repository.
 */
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PermanentError } from '../../errors.ts';

function reject(path: string, why: string): PermanentError {
  return new PermanentError('git.path', `path "${path}" is not allowed: ${why}`);
}

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function isGitDir(root: string, candidate: string): boolean {
  const first = relative(root, candidate).split(sep)[0];
  return first === '.git';
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** Returns the absolute path of `path` inside `root`, or throws PermanentError `git.path`. */
export async function resolveInside(root: string, path: string): Promise<string> {
  if (typeof path !== 'string' || path.trim() === '') throw reject(String(path), 'empty');
  if (path.includes('\0')) throw reject(path.replace(/\0/g, '\\0'), 'contains a NUL byte');
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\'))
    throw reject(path, 'absolute paths are not allowed');
  const segments = path.split(/[\\/]+/);
  if (segments.includes('..')) throw reject(path, '".." segments are not allowed');
  if (segments.filter((s) => s !== '.' && s !== '')[0]?.toLowerCase() === '.git')
    throw reject(path, 'the .git directory is off limits');

  const realRoot = await realpath(root);
  const target = resolve(realRoot, path);
  if (!inside(realRoot, target) || target === realRoot)
    throw reject(path, 'it does not name a file inside the repository');

  // The deepest part of the path that exists (as a file, directory or symlink) must resolve inside.
  let probe = target;
  while (!(await exists(probe))) probe = dirname(probe);
  let real: string;
  try {
    real = await realpath(probe);
  } catch {
    throw reject(path, 'it goes through a dangling symlink');
  }
  if (!inside(realRoot, real) || isGitDir(realRoot, real))
    throw reject(path, 'it resolves outside the repository through a symlink');
  return probe === target ? real : resolve(real, relative(probe, target));
}
