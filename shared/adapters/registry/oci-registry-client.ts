/**
 * The RegistryClient port over the Docker Registry HTTP API v2 / OCI distribution API.
 * Tag lists follow `Link` pagination; manifests are requested with the full Accept list; digests
 * come from `Docker-Content-Digest` or the sha256 of the body; every JSON answer is validated.
 */
import { createHash } from 'node:crypto';
import { MAX_REPOSITORY_TAGS } from '../../domain/input-limits.ts';
import { PermanentError } from '../../errors.ts';
import type { ImageConfigInfo, ManifestInfo, RegistryClient } from '../../ports/registry-client.ts';
import { describeRequest, errorForStatus } from './classify.ts';
import { nextLink } from './headers.ts';
import { RegistrySession, type RawResponse, type RequestKind, type SessionOptions } from './registry-session.ts';
import {
  describeIssues,
  ImageConfigSchema,
  ImageManifestSchema,
  IMAGE_TYPES,
  INDEX_TYPES,
  IndexManifestSchema,
  MANIFEST_ACCEPT,
  TagListSchema,
} from './schema.ts';
import type { z } from 'zod';

export interface OciRegistryClientOptions extends Partial<Omit<SessionOptions, 'credentials'>> {
  /** Registry API base URL (`https://registry-1.docker.io`); a trailing '/' is ignored. */
  apiUrl: string;
  credentials?: SessionOptions['credentials'];
  /** `n` for tags/list requests; undefined = let the registry choose. */
  pageSize?: number;
  /** Stop following Link headers after this many pages. */
  maxPages?: number;
  /** Refuse a repository with more tags than this (default MAX_REPOSITORY_TAGS). */
  maxTags?: number;
}

const sha256 = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const mediaTypeOf = (res: RawResponse) => (res.headers.get('content-type') ?? '').split(';')[0]!.trim();

export class OciRegistryClient implements RegistryClient {
  private readonly base: URL;
  private readonly session: RegistrySession;

  constructor(private readonly options: OciRegistryClientOptions) {
    this.base = new URL(options.apiUrl.replace(/\/+$/, '') + '/');
    this.session = new RegistrySession({
      credentials: options.credentials,
      transport: options.transport,
      gate: options.gate,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      userAgent: options.userAgent ?? 'tagflow',
      onRequest: options.onRequest,
    });
  }

  /** Requests made so far (all kinds, including token requests and auth retries). */
  get stats() {
    return this.session.stats;
  }

  /** The job this view of the client asks for (see forJob). */
  private readonly job?: string;

  /** This client (same session, tokens and budget) asking on behalf of a job. */
  forJob(job: string): OciRegistryClient {
    const view = Object.create(this) as OciRegistryClient;
    Object.defineProperty(view, 'job', { value: job });
    return view;
  }

  prepare(repositories: readonly string[]): Promise<void> {
    return this.session.prepare(repositories).catch(() => undefined);
  }

  async listTags(repository: string): Promise<string[]> {
    const first = this.url(`v2/${repository}/tags/list`);
    if (this.options.pageSize) first.searchParams.set('n', String(this.options.pageSize));
    const tags: string[] = [];
    const seen = new Set<string>();
    const maxTags = this.options.maxTags ?? MAX_REPOSITORY_TAGS;
    for (let url: URL | null = first, page = 0; url; page++) {
      if (page >= (this.options.maxPages ?? 10_000) || seen.has(url.href)) {
        throw new PermanentError(
          'registry.bad-response',
          `${describeRequest('GET', url)}: tag list pagination does not end for ${repository}` +
            (seen.has(url.href) ? ' (Link points to a page already read)' : ` (more than ${page} pages)`),
        );
      }
      seen.add(url.href);
      const res = await this.ok('tags', 'GET', url, repository);
      const list = this.parse(TagListSchema, res, 'tag list');
      const pageTags = list.tags ?? [];
      if (tags.length + pageTags.length > maxTags) {
        throw new PermanentError(
          'registry.bad-response',
          `${describeRequest('GET', res.url)}: repository ${repository} has more than ${maxTags} tags; refusing its tag list`,
        );
      }
      for (const tag of pageTags) tags.push(tag);
      url = nextLink(res.headers.get('link'), res.url);
      if (url && url.origin !== this.base.origin) {
        throw new PermanentError(
          'registry.bad-response',
          `${describeRequest('GET', res.url)}: pagination Link points to another host (${url.host})`,
        );
      }
    }
    return tags;
  }

  async headManifest(repository: string, reference: string): Promise<{ digest: string; mediaType: string }> {
    const url = this.manifestUrl(repository, reference);
    const res = await this.ok('manifest', 'HEAD', url, repository, { accept: MANIFEST_ACCEPT });
    const digest = res.headers.get('docker-content-digest');
    if (digest) return { digest, mediaType: mediaTypeOf(res) };
    const full = await this.fetchManifest(repository, reference);
    return { digest: full.digest, mediaType: full.mediaType };
  }

  async getManifest(repository: string, reference: string): Promise<ManifestInfo> {
    const { res, digest, mediaType, json } = await this.fetchManifest(repository, reference);
    const what = `manifest ${repository}@${digest}`;
    const kind = INDEX_TYPES.has(mediaType) ? 'index' : IMAGE_TYPES.has(mediaType) ? 'image' : undefined;
    if (kind === 'index') {
      const index = this.validate(IndexManifestSchema, json, res, what);
      return {
        kind: 'index',
        digest,
        mediaType,
        children: index.manifests.map((m) => ({
          digest: m.digest,
          mediaType: m.mediaType ?? '',
          ...(m.platform
            ? {
                platform: {
                  os: m.platform.os,
                  architecture: m.platform.architecture,
                  ...(m.platform.variant ? { variant: m.platform.variant } : {}),
                },
              }
            : {}),
        })),
      };
    }
    if (kind === 'image') {
      const image = this.validate(ImageManifestSchema, json, res, what);
      return { kind: 'image', digest, mediaType, configDigest: image.config.digest };
    }
    throw new PermanentError(
      'registry.unsupported-manifest',
      `${describeRequest('GET', res.url)}: unsupported manifest media type ${JSON.stringify(mediaType)}`,
    );
  }

  async getImageConfig(repository: string, configDigest: string): Promise<ImageConfigInfo> {
    const res = await this.ok('blob', 'GET', this.url(`v2/${repository}/blobs/${configDigest}`), repository);
    this.checkDigest(res, configDigest);
    const config = this.parse(ImageConfigSchema, res, `config blob ${configDigest}`);
    return {
      ...(config.created !== undefined ? { created: config.created } : {}),
      ...(config.os !== undefined ? { os: config.os } : {}),
      ...(config.architecture !== undefined ? { architecture: config.architecture } : {}),
      ...(config.variant !== undefined ? { variant: config.variant } : {}),
      labels: config.config?.Labels ?? {},
    };
  }

  private async fetchManifest(repository: string, reference: string) {
    const res = await this.ok('manifest', 'GET', this.manifestUrl(repository, reference), repository, {
      accept: MANIFEST_ACCEPT,
    });
    if (reference.includes(':')) this.checkDigest(res, reference);
    const json = this.json(res, 'manifest');
    const bodyType =
      typeof (json as { mediaType?: unknown }).mediaType === 'string' ? (json as { mediaType: string }).mediaType : '';
    const header = mediaTypeOf(res);
    const mediaType = INDEX_TYPES.has(header) || IMAGE_TYPES.has(header) ? header : bodyType || header;
    const digest = res.headers.get('docker-content-digest') ?? sha256(res.body);
    return { res, digest, mediaType, json };
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }

  private manifestUrl(repository: string, reference: string): URL {
    return this.url(`v2/${repository}/manifests/${reference}`);
  }

  /** The response of a request that must succeed (2xx), else the classified error. */
  private async ok(
    kind: RequestKind,
    method: string,
    url: URL,
    repository: string,
    headers?: Record<string, string>,
  ): Promise<RawResponse> {
    const res = await this.session.request(kind, method, url, repository, headers, this.job);
    if (res.status >= 200 && res.status < 300) return res;
    throw errorForStatus(res.status, describeRequest(method, url), res.headers, res.body.toString('utf8'));
  }

  private checkDigest(res: RawResponse, expected: string): void {
    if (!expected.startsWith('sha256:')) return;
    const actual = sha256(res.body);
    if (actual !== expected) {
      throw new PermanentError(
        'registry.bad-response',
        `${describeRequest('GET', res.url)}: content does not match its digest (got ${actual})`,
      );
    }
  }

  private json(res: RawResponse, what: string): unknown {
    try {
      return JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new PermanentError(
        'registry.bad-response',
        `${describeRequest('GET', res.url)}: ${what} is not valid JSON`,
      );
    }
  }

  private validate<T>(schema: z.ZodType<T>, json: unknown, res: RawResponse, what: string): T {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new PermanentError(
        'registry.bad-response',
        `${describeRequest('GET', res.url)}: malformed ${what}: ${describeIssues(parsed.error)}`,
      );
    }
    return parsed.data;
  }

  private parse<T>(schema: z.ZodType<T>, res: RawResponse, what: string): T {
    return this.validate(schema, this.json(res, what), res, what);
  }
}
