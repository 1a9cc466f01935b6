/**
 * The layering of the code base, enforced: the domain is pure, ports are interfaces, only
 * adapters (and the composition roots that build them) touch Redis, BullMQ, Kubernetes or git,
 * workers never reach into apps, apps reach workers only through their `main.ts` from the one
 * composition root, and no two folders import each other (directly or around a loop).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCE_DIRS = ['apps', 'workers', 'shared'];
const SDKS = ['ioredis', 'bullmq', '@kubernetes/client-node', 'simple-git'];
/** Pure libraries the domain may use. */
const DOMAIN_LIBS = ['semver', 're2js', 'yaml', 'zod', 'node:crypto', 'node:path'];
/** Files that build adapters (composition roots) besides shared/adapters itself. */
const COMPOSITION_ROOTS = ['apps/cli/compose/services.ts', 'apps/cli/compose/roles.ts'];

interface SourceFile {
  path: string;
  imports: string[];
}

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return walk(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.includes('test-fixtures') ? [rel] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function read(path: string): SourceFile {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const imports = [...text.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2]!)
    .map((spec) => (spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(path), spec)) : spec));
  return { path, imports };
}

const files = SOURCE_DIRS.flatMap(walk).map(read);
const local = (spec: string) => SOURCE_DIRS.some((d) => spec.startsWith(`${d}/`));
const isSdk = (spec: string) => SDKS.some((s) => spec === s || spec.startsWith(`${s}/`));
const under = (path: string, dir: string) => path.startsWith(`${dir}/`);

function violations(rule: (f: SourceFile, spec: string) => string | null): string[] {
  return files.flatMap((f) => f.imports.map((spec) => rule(f, spec)).filter((v): v is string => v !== null));
}

describe('layering', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(files.find((f) => f.path === 'apps/cli/compose/roles.ts')?.imports).toContain('workers/git/main.ts');
  });

  it('shared/domain is pure: no ports, adapters, jobs, config, logging, SDKs or I/O', () => {
    const bad = violations((f, spec) => {
      if (!under(f.path, 'shared/domain')) return null;
      if (local(spec))
        return under(spec, 'shared/domain') || spec === 'shared/errors.ts' ? null : `${f.path} imports ${spec}`;
      return DOMAIN_LIBS.includes(spec) ? null : `${f.path} imports ${spec}`;
    });
    expect(bad).toEqual([]);
  });

  it('shared/ports are interfaces over the domain: no adapters and no SDKs', () => {
    const bad = violations((f, spec) => {
      if (!under(f.path, 'shared/ports')) return null;
      if (isSdk(spec)) return `${f.path} imports ${spec}`;
      return local(spec) && (under(spec, 'shared/adapters') || under(spec, 'apps') || under(spec, 'workers'))
        ? `${f.path} imports ${spec}`
        : null;
    });
    expect(bad).toEqual([]);
  });

  it('only adapters and the composition roots import Redis, BullMQ, Kubernetes or git clients', () => {
    const bad = violations((f, spec) =>
      isSdk(spec) && !under(f.path, 'shared/adapters') && !COMPOSITION_ROOTS.includes(f.path)
        ? `${f.path} imports ${spec}`
        : null,
    );
    expect(bad).toEqual([]);
  });

  it("only composition roots (services, roles, each role's main.ts) import adapters", () => {
    const root = (p: string) =>
      COMPOSITION_ROOTS.includes(p) || /^(apps|workers)\/[^/]+\/main\.ts$/.test(p) || under(p, 'apps/cli/commands');
    const bad = violations((f, spec) =>
      local(spec) && under(spec, 'shared/adapters') && !under(f.path, 'shared/adapters') && !root(f.path)
        ? `${f.path} imports ${spec}`
        : null,
    );
    expect(bad).toEqual([]);
  });

  it('workers never import apps; apps reach workers only through their main.ts, from the composition root', () => {
    const bad = violations((f, spec) => {
      if (!local(spec)) return null;
      if (under(f.path, 'workers') && under(spec, 'apps')) return `${f.path} imports ${spec}`;
      if (
        under(f.path, 'apps') &&
        under(spec, 'workers') &&
        !(f.path === 'apps/cli/compose/roles.ts' && /^workers\/[^/]+\/main\.ts$/.test(spec))
      )
        return `${f.path} imports ${spec}`;
      if (under(f.path, 'shared') && (under(spec, 'apps') || under(spec, 'workers')))
        return `${f.path} imports ${spec}`;
      return null;
    });
    expect(bad).toEqual([]);
  });

  it('no import cycles between folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of files) {
      const from = dirname(f.path);
      for (const spec of f.imports.filter(local)) {
        const to = dirname(spec);
        if (to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    // Tarjan's strongly connected components: any component of more than one folder is a cycle
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      onStack.add(v);
      for (const w of edges.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1) cycles.push(component.sort());
      }
    };
    for (const v of edges.keys()) if (!idx.has(v)) visit(v);
    expect(cycles).toEqual([]);
  });
});
