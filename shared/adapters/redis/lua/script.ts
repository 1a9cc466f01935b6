/**
 * Lua scripts with named keys and arguments. A script declares the names of its KEYS and ARGV; the
 * Lua source gets `local K_<name> = KEYS[i]` and `local A_<name> = ARGV[i]` lines generated from
 * those names, so the TypeScript caller and the script can never disagree on an index. Keys beyond
 * the declared ones (e.g. one plan hash per write-back group) are passed as `extraKeys` and read in
 * Lua as `KEYS[NKEYS + i]`. Scripts are registered with ioredis' defineCommand: sent once, then
 * run with EVALSHA.
 */
import type { ChainableCommander, Redis } from 'ioredis';

export interface ScriptSpec<KN extends string, AN extends string> {
  name: string;
  keys: readonly KN[];
  args: readonly AN[];
  /** Lua body; may use K_<key>, A_<arg>, NKEYS and whatever `lib` defines. */
  body: string;
  /** Shared Lua helpers prepended to the body. */
  lib?: string;
}

export interface LuaScript<KN extends string, AN extends string> {
  readonly name: string;
  readonly lua: string;
  run(
    redis: Redis,
    keys: Record<KN, string>,
    args: Record<AN, string | number>,
    extraKeys?: readonly string[],
  ): Promise<unknown>;
  /** Queues the script on a pipeline (its reply comes with the pipeline's results). */
  queue(
    pipeline: ChainableCommander,
    keys: Record<KN, string>,
    args: Record<AN, string | number>,
    extraKeys?: readonly string[],
  ): void;
}

type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

export function defineScript<KN extends string, AN extends string>(spec: ScriptSpec<KN, AN>): LuaScript<KN, AN> {
  const header = [
    ...spec.keys.map((k, i) => `local K_${k} = KEYS[${i + 1}]`),
    `local NKEYS = ${spec.keys.length}`,
    ...spec.args.map((a, i) => `local A_${a} = ARGV[${i + 1}]`),
  ].join('\n');
  const lua = `${header}\n${spec.lib ?? ''}\n${spec.body}`;
  const command = `tagflow_${spec.name}`;
  const argv = (keys: Record<KN, string>, args: Record<AN, string | number>, extra: readonly string[] = []) => {
    const k = [...spec.keys.map((n) => keys[n]), ...extra];
    for (const [i, v] of k.entries())
      if (typeof v !== 'string' || v === '') throw new Error(`script ${spec.name}: key #${i + 1} is missing`);
    return [k.length, ...k, ...spec.args.map((n) => args[n])];
  };
  const ensure = (r: Redis | ChainableCommander) => {
    const target = r as unknown as Record<string, unknown> & { defineCommand?: Redis['defineCommand'] };
    if (typeof target[command] !== 'function') {
      if (!target.defineCommand) throw new Error(`script ${spec.name} is not defined on this connection`);
      target.defineCommand(command, { lua });
    }
    return target[command] as ScriptCommand;
  };
  return {
    name: spec.name,
    lua,
    run(redis, keys, args, extraKeys) {
      return ensure(redis).apply(redis, argv(keys, args, extraKeys));
    },
    queue(pipeline, keys, args, extraKeys) {
      const fn = (pipeline as unknown as Record<string, ScriptCommand>)[command];
      if (typeof fn !== 'function')
        throw new Error(
          `script ${spec.name}: define it on the connection (run it once) before queueing it on a pipeline`,
        );
      void fn.apply(pipeline, argv(keys, args, extraKeys));
    },
  };
}

/** Registers scripts on a connection up front, so pipelines created from it can queue them. */
export function registerScripts(redis: Redis, scripts: readonly { name: string; lua: string }[]): void {
  for (const s of scripts) {
    const command = `tagflow_${s.name}`;
    if (typeof (redis as unknown as Record<string, unknown>)[command] !== 'function')
      redis.defineCommand(command, { lua: s.lua });
  }
}

/** cjson encodes an empty Lua table as `{}`: read list fields through this. */
export function list<T = string>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}
