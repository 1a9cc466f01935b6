/**
 * The wire format between kube-fixture-process.ts (the child that runs the test API servers) and
 * kube-fixture-client.ts (the parent): the spec on argv/stdin, the ready line on stdout, and the
 * bodies of the control API. Parsed with zod on the child's side.
 */
import { z } from 'zod';

const ServerOptions = z
  .object({
    port: z.number().int().min(0).max(65535).optional(),
    historyLimit: z.number().int().min(1).optional(),
    bookmarkIntervalMs: z.number().int().min(0).optional(),
    user: z.string().optional(),
  })
  .strict();

export const KubeFixtureSpec = z
  .object({
    clusters: z
      .array(
        z
          .object({
            name: z.string().min(1),
            token: z.string().nullable().optional(),
            namespace: z.string().optional(),
            server: ServerOptions.optional(),
          })
          .strict(),
      )
      .min(1),
    /** Where the kubeconfig files go; default a temporary directory removed on exit. */
    kubeconfigDir: z.string().optional(),
    /** current-context of the combined kubeconfig; default the first cluster. */
    currentContext: z.string().optional(),
    /** Port of the control API; default any free one. */
    controlPort: z.number().int().min(0).max(65535).optional(),
    /** Exit when stdin ends (the parent died), for a spec given on argv. */
    exitOnStdinEnd: z.boolean().optional(),
  })
  .strict();
export type KubeFixtureSpec = z.infer<typeof KubeFixtureSpec>;

export interface KubeFixtureClusterInfo {
  name: string;
  url: string;
  token: string | null;
  namespace: string;
  /** A kubeconfig with only this cluster. */
  kubeconfig: string;
}

/** The one JSON line the child prints on stdout once every server listens. */
export interface KubeFixtureReady {
  ready: true;
  pid: number;
  /** Base URL of the control API. */
  control: string;
  /** A kubeconfig with a context per cluster. */
  kubeconfig: string;
  clusters: KubeFixtureClusterInfo[];
}

const Regex = z.string().min(1);
export const KubeFixtureFault = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('failNext'),
    method: z.string().optional(),
    pathRegex: Regex,
    status: z.number().int(),
    times: z.number().int().min(1).optional(),
    retryAfter: z.number().optional(),
  }),
  z.object({
    action: z.literal('failFor'),
    method: z.string().optional(),
    pathRegex: Regex,
    status: z.number().int(),
    durationMs: z.number().min(0),
    retryAfter: z.number().optional(),
  }),
  z.object({
    action: z.literal('outage'),
    durationMs: z.number().min(0),
    mode: z.enum(['status', 'destroy', 'refuse']).optional(),
    status: z.number().int().optional(),
  }),
  z.object({
    action: z.literal('outageStart'),
    mode: z.enum(['status', 'destroy', 'refuse']).optional(),
    status: z.number().int().optional(),
  }),
  z.object({ action: z.literal('outageEnd') }),
  z.object({ action: z.literal('setToken'), token: z.string().nullable() }),
  z.object({ action: z.literal('addToken'), token: z.string().min(1), user: z.string().min(1) }),
  z.object({ action: z.literal('revokeToken'), token: z.string().optional() }),
  z.object({ action: z.literal('restoreToken'), token: z.string().optional() }),
  z.object({
    action: z.literal('forbid'),
    verb: z.union([z.string(), z.array(z.string())]).optional(),
    pathRegex: Regex.optional(),
    group: z.string().optional(),
    resource: z.string().optional(),
    namespace: z.string().optional(),
    user: z.string().optional(),
  }),
  z.object({ action: z.literal('allowAll') }),
  z.object({ action: z.literal('clearFaults') }),
  z.object({ action: z.literal('closeWatches') }),
  z.object({ action: z.literal('uninstallResource'), resource: z.string().min(1) }),
  z.object({ action: z.literal('installResource'), resource: z.string().min(1) }),
  z.object({ action: z.literal('compact') }),
]);
export type KubeFixtureFault = z.infer<typeof KubeFixtureFault>;

const ObjectBody = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
  })
  .loose();

export const BulkPutRequest = z.object({ cluster: z.string().optional(), objects: z.array(ObjectBody) });
export const BulkDeleteRequest = z.object({ cluster: z.string().optional(), objects: z.array(ObjectBody) });
export const FaultRequest = z.object({ cluster: z.string().optional(), fault: KubeFixtureFault });
export const ClusterRequest = z.object({ cluster: z.string().optional() });
