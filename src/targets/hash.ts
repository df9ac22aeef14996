/**
 * The one stable hash of a target key. Sharding (targets/shard.ts) and the
 * scrape slot offset (scrape/jitter.ts) both use it; it lives here, below
 * both, so scrape/ depends on targets/ and never the other way round.
 */
import { createHash } from 'node:crypto';

/** First 64 bits of SHA-256 of `key`: the same on every replica and across restarts. */
export function stableHash(key: string): bigint {
  return createHash('sha256').update(key).digest().readBigUInt64BE(0);
}
