/**
 * A stable 64-bit hash of a target key. Scrape slots (`scrape/jitter.ts`) and
 * shard assignment (`targets/shard.ts`) both derive from it, so it lives here,
 * below both, and a target keeps its slot and shard across restarts.
 */
import { createHash } from 'node:crypto';

/** The first 8 bytes of the key's SHA-256, big-endian. */
export function stableHash(key: string): bigint {
  return createHash('sha256').update(key).digest().readBigUInt64BE(0);
}
