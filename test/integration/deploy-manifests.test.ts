/**
 * The deployment as users install it: deploy/kustomize rendered by the real `kubectl kustomize`
 * (base and overlays), checked for one Deployment per role, probes, resources, least-privilege RBAC
 * (exactly the Kubernetes calls the code makes, deploy-rbac-table.ts), the CRD and consistent
 * images; docker-compose.yml parsed for Redis AOF and the api port; the package's bin run from a
 * build, with every module it loads recorded.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { ROLES } from '../../shared/config/schema.ts';
import { KUBE_CALL_PATTERN, KUBE_CALLS, type Permission } from './deploy-rbac-table.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const version: string = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version;

type Obj = Record<string, any>;

function render(dir: string): Obj[] {
  const out = execFileSync('/usr/bin/kubectl', ['kustomize', `${root}${dir}`], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(out).map((d) => d.toJS() as Obj);
}

const named = (objs: Obj[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata?.name === name);
const container = (d: Obj): Obj => d.spec.template.spec.containers.find((c: Obj) => c.name === 'tagflow');
const tagflowDeployments = (objs: Obj[]) =>
  objs.filter((o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/name'] === 'tagflow');
const key = (p: Permission) => `${p.scope} ${p.group}/${p.resource} ${p.verb}`;

/** The (group, resource, verb) the ServiceAccount is granted, by scope, from the rendered RBAC. */
function grantedTo(objs: Obj[], sa: Obj): { keys: Set<string>; wildcards: string[] } {
  const keys = new Set<string>();
  const wildcards: string[] = [];
  const binds = (b: Obj) =>
    (b.subjects ?? []).some(
      (s: Obj) => s.kind === 'ServiceAccount' && s.name === sa.metadata.name && s.namespace === sa.metadata.namespace,
    );
  for (const b of objs.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    if (!binds(b)) continue;
    const role = objs.find(
      (o) =>
        o.kind === b.roleRef.kind &&
        o.metadata.name === b.roleRef.name &&
        (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace),
    );
    expect(role, `${b.kind} ${b.metadata.name} refers to ${b.roleRef.kind} ${b.roleRef.name}`).toBeDefined();
    // a ClusterRole bound by a RoleBinding grants in that namespace only
    const scope = b.kind === 'ClusterRoleBinding' ? 'cluster' : b.metadata.namespace;
    for (const rule of role!.rules as Obj[]) {
      for (const field of ['apiGroups', 'resources', 'verbs'])
        if ((rule[field] ?? []).includes('*')) wildcards.push(`${role!.metadata.name}: ${field}`);
      expect(rule.resourceNames, 'no resourceNames are expected').toBeUndefined();
      for (const group of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs) keys.add(`${scope} ${group}/${resource} ${verb}`);
    }
  }
  return { keys, wildcards };
}

/** The calls the code makes: every client-node method called in a file that imports client-node. */
function callsInCode(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(`${root}${dir}`, { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        const text = readFileSync(`${root}${path}`, 'utf8');
        if (!/from '@kubernetes\/client-node'/.test(text)) continue;
        for (const m of text.matchAll(KUBE_CALL_PATTERN)) found.add(`${e.name} ${m[1]}`);
      }
    }
  };
  ['apps', 'workers', 'shared'].forEach(walk);
  return found;
}

describe('kustomize base (kubectl kustomize)', () => {
  const objs = render('deploy/kustomize/base');
  const deployments = tagflowDeployments(objs);
  const sa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'tagflow')!;

  it('has one Deployment per role, each running that role with replicas and resources set', () => {
    const byRole = new Map<string, Obj[]>();
    for (const d of deployments) {
      const args: string[] = container(d).args;
      expect(args.slice(0, 2), d.metadata.name).toEqual(['run', '--roles']);
      for (const role of args[2]!.split(',')) byRole.set(role, [...(byRole.get(role) ?? []), d]);
    }
    expect([...byRole.keys()].sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) {
      expect(byRole.get(role), `role ${role}`).toHaveLength(1);
      const d = byRole.get(role)![0]!;
      expect(d.metadata.name).toBe(`tagflow-${role}`);
      expect(d.metadata.namespace).toBe('argocd');
      expect(d.spec.replicas, `${role} replicas`).toBeGreaterThanOrEqual(1);
      const r = container(d).resources;
      expect(r?.requests?.cpu && r?.requests?.memory && r?.limits?.memory, `${role} resources`).toBeTruthy();
      expect(d.spec.template.spec.serviceAccountName).toBe('tagflow');
      expect(d.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(role);
    }
  });

  it('probes /healthz and /readyz on the api port, which the Service exposes', () => {
    const api = container(named(objs, 'Deployment', 'tagflow-api')!);
    const port: Obj = api.ports.find((p: Obj) => p.name === 'http');
    const envPort = api.env.find((e: Obj) => e.name === 'TAGFLOW_API_PORT')?.value;
    expect(Number(envPort)).toBe(port.containerPort);
    for (const [probe, path] of [
      ['readinessProbe', '/readyz'],
      ['livenessProbe', '/healthz'],
    ] as const) {
      expect(api[probe].httpGet.path).toBe(path);
      expect([port.name, port.containerPort]).toContain(api[probe].httpGet.port);
    }
    const svc = named(objs, 'Service', 'tagflow-api')!;
    expect([port.name, port.containerPort]).toContain(svc.spec.ports[0].targetPort);
    const podLabels = named(objs, 'Deployment', 'tagflow-api')!.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
    expect(api.env.find((e: Obj) => e.name === 'TAGFLOW_API_TOKEN')?.valueFrom?.secretKeyRef?.optional).toBe(true);
  });

  it('lists every Kubernetes call the code makes in the RBAC table', () => {
    const table = new Set(KUBE_CALLS.map((c) => `${c.file} ${c.call}`));
    expect([...callsInCode()].sort()).toEqual([...table].sort());
  });

  it('grants the ServiceAccount exactly what those calls need, without wildcards', () => {
    const expected = new Set(KUBE_CALLS.flatMap((c) => c.needs).map(key));
    const { keys, wildcards } = grantedTo(objs, sa);
    expect(wildcards).toEqual([]);
    expect([...keys].sort()).toEqual([...expected].sort());
  });

  it("reads the anchor's ConfigMap and Secret names, in the Argo CD namespace", () => {
    for (const d of deployments) {
      const c = container(d);
      const refs = c.env.map((e: Obj) => e.valueFrom?.configMapKeyRef).filter(Boolean);
      expect(refs.length, d.metadata.name).toBeGreaterThan(0);
      for (const ref of refs) expect([ref.name, ref.optional]).toEqual(['argocd-image-updater-config', true]);
      expect(c.env.find((e: Obj) => e.name === 'ARGOCD_NAMESPACE').valueFrom.fieldRef.fieldPath).toBe(
        'metadata.namespace',
      );
    }
    const role = named(objs, 'Role', 'tagflow')!;
    expect(role.metadata.namespace).toBe(sa.metadata.namespace);
  });

  it('includes the ImageUpdater CRD as deploy/crds has it', () => {
    const crd = named(objs, 'CustomResourceDefinition', 'imageupdaters.argocd-image-updater.argoproj.io')!;
    const source = parse(
      readFileSync(`${root}deploy/crds/imageupdaters.argocd-image-updater.argoproj.io.yaml`, 'utf8'),
    ) as Obj;
    expect(crd.spec).toEqual(source.spec);
    expect(crd.metadata.namespace).toBeUndefined();
  });

  it('runs one tagflow image (the package version) and a pinned Redis with AOF on a volume', () => {
    const images = new Set(deployments.map((d) => container(d).image));
    expect([...images]).toEqual([`tagflow:${version}`]);
    const redis = named(objs, 'Deployment', 'tagflow-redis')!;
    const rc = redis.spec.template.spec.containers[0];
    expect(rc.image).toMatch(/^redis:\d+(\.\d+)*$/);
    expect(rc.args.join(' ')).toMatch(/--appendonly yes\b/);
    expect(rc.args.join(' ')).toMatch(/--maxmemory-policy noeviction\b/);
    const dir = rc.args[rc.args.indexOf('--dir') + 1];
    const mount = rc.volumeMounts.find((m: Obj) => m.mountPath === dir);
    const volume = redis.spec.template.spec.volumes.find((v: Obj) => v.name === mount?.name);
    expect(named(objs, 'PersistentVolumeClaim', volume?.persistentVolumeClaim?.claimName)).toBeDefined();
    const url = new URL(container(deployments[0]!).env.find((e: Obj) => e.name === 'REDIS_URL').value);
    const svc = named(objs, 'Service', url.hostname)!;
    expect(svc.spec.ports.map((p: Obj) => String(p.port))).toContain(url.port);
  });
});

describe('kustomize overlays', () => {
  it('external-redis: no Redis of its own, REDIS_URL from a Secret in every role', () => {
    const objs = render('deploy/kustomize/overlays/external-redis');
    expect(objs.filter((o) => o.metadata.name === 'tagflow-redis')).toEqual([]);
    const deployments = tagflowDeployments(objs);
    expect(deployments).toHaveLength(ROLES.length);
    for (const d of deployments) {
      const env = container(d).env.find((e: Obj) => e.name === 'REDIS_URL');
      expect(env.value, d.metadata.name).toBeUndefined();
      expect(env.valueFrom.secretKeyRef).toEqual({ name: 'tagflow-redis', key: 'url' });
    }
  });

  it('scaled: more replicas and concurrency, every role still there', () => {
    const objs = render('deploy/kustomize/overlays/scaled');
    expect(tagflowDeployments(objs)).toHaveLength(ROLES.length);
    expect(named(objs, 'Deployment', 'tagflow-registry')!.spec.replicas).toBe(4);
    for (const d of tagflowDeployments(objs))
      expect(container(d).env.find((e: Obj) => e.name === 'TAGFLOW_CONCURRENCY')?.value).toMatch(/registry=\d+/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${root}docker-compose.yml`, 'utf8'), { merge: true }) as Obj;

  it('runs Redis with AOF on a named volume', () => {
    const redis = compose.services.redis;
    expect(redis.command.join(' ')).toMatch(/--appendonly yes\b/);
    const data = (redis.volumes as string[]).find((v) => v.split(':')[1] === '/data');
    expect(data && compose.volumes).toBeTruthy();
    expect(Object.keys(compose.volumes)).toContain(data!.split(':')[0]);
  });

  it('runs every role and publishes the api port (dashboard, webhooks, metrics)', () => {
    const services = Object.values(compose.services) as Obj[];
    const roles = services
      .filter((s) => Array.isArray(s.command) && s.command[0] === 'run')
      .flatMap((s) => (s.command[s.command.indexOf('--roles') + 1] as string).split(','));
    expect([...new Set(roles)].sort()).toEqual([...ROLES].sort());
    const api = compose.services.api;
    expect(api.command).toContain('api');
    expect(api.ports).toContain(`8080:${api.environment.TAGFLOW_API_PORT}`);
    expect(api.healthcheck.test.join(' ')).toContain('/healthz');
  });
});

// Records the URL of every module the process resolves (ESM loader hooks, on Node's hooks thread).
const traceHooks = `import{appendFileSync}from'node:fs';export async function resolve(s,c,n){const r=await n(s,c);appendFileSync(process.env.TAGFLOW_TRACE,r.url+'\\n');return r}`;
const traceImport = `data:text/javascript,${encodeURIComponent(
  `import{register}from'node:module';register('data:text/javascript,'+encodeURIComponent(${JSON.stringify(traceHooks)}))`,
)}`;

describe('the built distribution (an installed package: bin/ + dist/, no sources)', () => {
  let dir = '';
  let closedPort = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tagflow-built-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(`${root}bin/tagflow.js`, join(dir, 'bin/tagflow.js'));
    copyFileSync(`${root}package.json`, join(dir, 'package.json'));
    symlinkSync(`${root}node_modules`, join(dir, 'node_modules'));
    execFileSync(process.execPath, [`${root}scripts/build.mjs`, '--outdir', join(dir, 'dist')], { timeout: 120_000 });
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closedPort = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function traced(args: string[]) {
    const trace = join(dir, `trace-${args[0]}`);
    const r = spawnSync(process.execPath, ['--import', traceImport, join(dir, 'bin/tagflow.js'), ...args], {
      env: { ...process.env, TAGFLOW_TRACE: trace, TAGFLOW_FROM_SOURCE: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const loaded = readFileSync(trace, 'utf8').trim().split('\n');
    const packages = new Set(loaded.flatMap((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
    return { ...r, loaded, packages };
  }

  it('--version runs dist/ without a TypeScript loader and loads only commander', () => {
    const r = traced(['--version']);
    expect([r.status, r.stdout.trim()]).toEqual([0, version]);
    expect(r.loaded).toContain(`file://${dir}/dist/tagflow.js`);
    expect(r.loaded.filter((u) => /\.[cm]?tsx?$/.test(u))).toEqual([]);
    expect([...r.packages]).toEqual(['commander']);
  });

  it('test (registries.conf, unreachable registry) loads neither tsx nor client-node, BullMQ or ioredis', () => {
    const conf = join(dir, 'registries.conf');
    writeFileSync(conf, 'registries:\n- name: other\n  api_url: https://other.example\n  prefix: other.example\n');
    const r = traced(['test', `127.0.0.1:${closedPort}/deploy/probe:1.0`, '--registries-conf-path', conf]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot query the registry .*ECONNREFUSED/);
    expect(r.loaded.some((u) => u.startsWith(`file://${dir}/dist/`))).toBe(true);
    for (const heavy of ['tsx', '@kubernetes/client-node', 'bullmq', 'ioredis', 'express'])
      expect(r.packages.has(heavy), heavy).toBe(false);
  });
});
