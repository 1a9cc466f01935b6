/**
 * The resource types the test API server knows by name (for kinds, discovery and list kinds).
 * Unknown group/plural pairs are still served: their kind is learnt from the first object stored,
 * or guessed from the plural, like a CRD that was just installed.
 */
export interface ResourceType {
  group: string; // '' = core
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /**
   * The type serves a `/status` subresource: writes to the object itself keep the stored status,
   * only `/status` changes it (CRDs with `subresources: {status: {}}`, and built-ins that have it).
   */
  statusSubresource?: boolean;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export const KNOWN_RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true },
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  },
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    statusSubresource: true,
  },
  // Argo CD's CRDs declare `subresources: {}`: status is written (and bumps generation) like any field.
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'applications',
    singular: 'application',
    kind: 'Application',
    namespaced: true,
    shortNames: ['app', 'apps'],
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'appprojects',
    singular: 'appproject',
    kind: 'AppProject',
    namespaced: true,
    shortNames: ['appproj'],
  },
  // argocd-image-updater's CRD declares `subresources: {status: {}}`.
  {
    group: 'argocd-image-updater.argoproj.io',
    version: 'v1alpha1',
    plural: 'imageupdaters',
    singular: 'imageupdater',
    kind: 'ImageUpdater',
    namespaced: true,
    statusSubresource: true,
  },
  { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true },
  {
    group: 'events.k8s.io',
    version: 'v1',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
  },
];

export class ResourceRegistry {
  private readonly types = new Map<string, ResourceType>();
  /** group/plural of resources whose CRD was "deleted": not served, not discoverable. */
  private readonly uninstalled = new Set<string>();

  isServed(group: string, plural: string): boolean {
    return !this.uninstalled.has(`${group}/${plural}`);
  }

  uninstall(group: string, plural: string): void {
    this.uninstalled.add(`${group}/${plural}`);
  }

  install(group: string, plural: string): void {
    this.uninstalled.delete(`${group}/${plural}`);
  }

  private served(): ResourceType[] {
    return [...this.types.values()].filter((t) => this.isServed(t.group, t.plural));
  }

  constructor() {
    for (const t of KNOWN_RESOURCES) this.types.set(key(t.group, t.version, t.plural), t);
  }

  /** The type for a path; unknown ones are registered on first use (as a CRD with a status subresource). */
  resolve(group: string, version: string, plural: string, kindHint?: string): ResourceType {
    const k = key(group, version, plural);
    let t = this.types.get(k);
    if (!t) {
      const singular = plural.endsWith('s') ? plural.slice(0, -1) : plural;
      const kind = kindHint ?? singular.charAt(0).toUpperCase() + singular.slice(1);
      t = { group, version, plural, singular, kind, namespaced: true, statusSubresource: true };
      this.types.set(k, t);
    }
    return t;
  }

  /** Every known version of a resource. */
  typesOf(group: string, plural: string): ResourceType[] {
    return [...this.types.values()].filter((t) => t.group === group && t.plural === plural);
  }

  /** Finds the plural for a kind (used by `put(obj)` when no plural is given). */
  pluralFor(apiVersion: string, kind: string): string {
    const { group, version } = splitApiVersion(apiVersion);
    for (const t of this.types.values())
      if (t.group === group && t.version === version && t.kind === kind) return t.plural;
    return `${kind.toLowerCase()}s`;
  }

  apiGroupList(): object {
    const groups = new Map<string, Set<string>>();
    for (const t of this.served()) {
      if (t.group === '') continue;
      if (!groups.has(t.group)) groups.set(t.group, new Set());
      groups.get(t.group)!.add(t.version);
    }
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => {
        const list = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
        return { name, versions: list, preferredVersion: list[0] };
      }),
    };
  }

  apiResourceList(group: string, version: string): object | null {
    const types = this.served().filter((t) => t.group === group && t.version === version);
    if (types.length === 0) return null;
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/${version}` : version,
      resources: types.flatMap((t) => [
        {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: VERBS,
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        },
        ...(t.statusSubresource
          ? [
              {
                name: `${t.plural}/status`,
                singularName: '',
                namespaced: t.namespaced,
                kind: t.kind,
                verbs: ['get', 'patch', 'update'],
              },
            ]
          : []),
      ]),
    };
  }
}

function key(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
