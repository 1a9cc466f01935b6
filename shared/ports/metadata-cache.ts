import type { Platform } from './registry-client.ts';

/** What a manifest digest tells about an image: it never changes for a digest, so it is cached for good. */
export interface DigestMetadata {
  kind: 'image' | 'index';
  /** Newest creation date (of any platform, for an index). */
  created?: string;
  /** For an index: each child's platform and its own creation date. */
  platforms: (Platform & { created?: string })[];
  labels?: Record<string, string>;
}

export interface MetadataCache {
  getMany(digests: readonly string[]): Promise<Map<string, DigestMetadata>>;
  put(digest: string, meta: DigestMetadata): Promise<void>;
}
