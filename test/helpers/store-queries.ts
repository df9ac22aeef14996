/**
 * Reads of the store that only tests make: the raw rows behind what the
 * daemon's StoreReader rebuilds, to check the writer stored what it should.
 */
import type { Db } from '../../src/store/db.js';
import type { TargetRow } from '../../src/store/reader.js';

/** Every stored target, oldest first. */
export function storedTargets(db: Db): TargetRow[] {
  const rows = db.prepare(`SELECT id, key, url, labels FROM targets ORDER BY id`).all() as (Omit<TargetRow, 'labels'> & { labels: string })[];
  return rows.map((r) => ({ ...r, labels: JSON.parse(r.labels) as Record<string, string> }));
}

/** The raw rows stored for one scrape (a keyframe's absolute values or a delta): function id -> [inuse bytes, inuse objects]. */
export function storedFunctionValues(db: Db, scrapeId: number): Map<number, [number, number]> {
  const rows = db.prepare(`SELECT function_id AS id, inuse_bytes AS bytes, inuse_objects AS objects FROM function_values WHERE scrape_id = ?`).all(scrapeId) as {
    id: number;
    bytes: number;
    objects: number;
  }[];
  return new Map(rows.map((r) => [r.id, [r.bytes, r.objects]]));
}
