/**
 * ApplicationStore over @kubernetes/client-node: Argo CD Applications (argoproj.io/v1alpha1).
 * Writes are RFC 7386 merge patches or RFC 6902 JSON patches (the content type is set explicitly
 * for both); a resourceVersion in the patch turns a concurrent change into a 409 → ConflictError.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type {
  Application,
  ApplicationRef,
  ApplicationStore,
  JsonPatchOperation,
} from '../../ports/application-store.ts';
import type { PermanentError } from '../../errors.ts';
import { parseApplication } from './application-schema.ts';
import { classifyKubeError, isNotFound } from './kube-errors.ts';

export const APPLICATION_RESOURCE = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' } as const;

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
const PAGE_SIZE = 500;

type Ref = Omit<ApplicationRef, 'cluster'>;

export interface KubeApplicationStoreOptions {
  /** Called for an Application that fails validation; it is left out of list results. */
  onInvalid?: (error: PermanentError) => void;
  /** The control plane's name, put in front of every error message. */
  controlPlane?: string;
}

interface RawList {
  items?: unknown[];
  metadata?: { continue?: string };
}

export class KubeApplicationStore implements ApplicationStore {
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly options: KubeApplicationStoreOptions = {},
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  private what(op: string): string {
    return this.options.controlPlane ? `control plane ${this.options.controlPlane}: ${op}` : op;
  }

  /** Applications of `namespace` ('' = all namespaces), paged 500 at a time. */
  async list(namespace: string, options: { labelSelector?: string } = {}): Promise<Application[]> {
    const out: Application[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(namespace, options.labelSelector, token);
      for (const raw of page.items ?? []) {
        try {
          out.push(parseApplication(raw));
        } catch (e) {
          this.options.onInvalid?.(e as PermanentError);
        }
      }
      token = page.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  private async listPage(
    namespace: string,
    labelSelector: string | undefined,
    token: string | undefined,
  ): Promise<RawList> {
    const common = {
      ...APPLICATION_RESOURCE,
      labelSelector: labelSelector || undefined,
      limit: PAGE_SIZE,
      _continue: token,
    };
    try {
      return (
        namespace
          ? await this.api.listNamespacedCustomObject({ ...common, namespace })
          : await this.api.listClusterCustomObject(common)
      ) as RawList;
    } catch (e) {
      throw classifyKubeError(e, this.what(`list Applications in ${namespace || 'all namespaces'}`));
    }
  }

  async get(ref: Ref): Promise<Application | null> {
    let raw: unknown;
    try {
      raw = await this.api.getNamespacedCustomObject({
        ...APPLICATION_RESOURCE,
        namespace: ref.namespace,
        name: ref.name,
      });
    } catch (e) {
      if (isNotFound(e)) return null;
      throw classifyKubeError(e, this.what(`get Application ${ref.namespace}/${ref.name}`));
    }
    return parseApplication(raw);
  }

  async mergePatch(ref: Ref, patch: object, resourceVersion?: string): Promise<{ resourceVersion: string }> {
    return this.patch(ref, resourceVersion ? withResourceVersion(patch, resourceVersion) : patch, MERGE_PATCH);
  }

  async jsonPatch(
    ref: Ref,
    operations: JsonPatchOperation[],
    resourceVersion?: string,
  ): Promise<{ resourceVersion: string }> {
    // `replace` (not `test`): the API server compares a resourceVersion set by the patch with the
    // stored one and answers 409, whereas a failed `test` is a 422 that no retry can fix
    const guard: JsonPatchOperation[] = resourceVersion
      ? [{ op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion }]
      : [];
    return this.patch(ref, [...guard, ...operations], JSON_PATCH);
  }

  private async patch(ref: Ref, body: object, contentType: typeof MERGE_PATCH): Promise<{ resourceVersion: string }> {
    try {
      const updated = (await this.api.patchNamespacedCustomObject(
        { ...APPLICATION_RESOURCE, namespace: ref.namespace, name: ref.name, body },
        contentType,
      )) as { metadata?: { resourceVersion?: string } };
      return { resourceVersion: updated.metadata?.resourceVersion ?? '' };
    } catch (e) {
      throw classifyKubeError(e, this.what(`patch Application ${ref.namespace}/${ref.name}`));
    }
  }
}

function withResourceVersion(patch: object, resourceVersion: string): object {
  const p = patch as { metadata?: Record<string, unknown> };
  return { ...patch, metadata: { ...(p.metadata ?? {}), resourceVersion } };
}
