import type { Redis } from 'ioredis';
import type { DigestMetadata, MetadataCache } from '../../ports/metadata-cache.ts';
import type { Keyspace } from './connection.ts';

/** Digest → metadata in one Redis hash: content-addressed, so entries never expire and survive restarts. */
export class RedisMetadataCache implements MetadataCache {
  constructor(
    private readonly redis: Redis,
    private readonly key: Keyspace,
  ) {}

  async getMany(digests: readonly string[]): Promise<Map<string, DigestMetadata>> {
    const out = new Map<string, DigestMetadata>();
    if (digests.length === 0) return out;
    const raws = await this.redis.hmget(this.key('digest-meta'), ...digests);
    raws.forEach((raw, i) => raw && out.set(digests[i]!, JSON.parse(raw) as DigestMetadata));
    return out;
  }

  async put(digest: string, meta: DigestMetadata): Promise<void> {
    await this.redis.hset(this.key('digest-meta'), digest, JSON.stringify(meta));
  }
}
