/**
 * Downsampling: past `afterMs`, keep one scrape per `stepMs` of each process
 * epoch (and every keyframe) and drop the others, so 30 days of history stay
 * bounded. A dropped scrape's deltas are folded into the next kept scrape of
 * its epoch (unless that one is a keyframe, whose values are absolute), so
 * every kept scrape still rebuilds exactly. Works in small batches that yield
 * to the event loop.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Db } from './db.js';

/** What one downsampling pass removed, for the logs. */
export interface DownsampleResult {
  scrapesDropped: number;
}

const BATCH = 200;

export async function downsample(db: Db, olderThanMs: number, stepMs: number): Promise<DownsampleResult> {
  // Candidates: ok, non-keyframe scrapes older than the cutoff that are not
  // the first of their step bucket within their epoch.
  const candidates = db.prepare(
    `SELECT s.id, s.epoch_id AS epochId FROM scrapes s
      WHERE s.outcome = 'ok' AND s.keyframe = 0 AND s.ts < @cutoff AND s.epoch_id IS NOT NULL
        AND EXISTS (SELECT 1 FROM scrapes p WHERE p.epoch_id = s.epoch_id AND p.outcome = 'ok' AND p.id < s.id
                    AND CAST(p.ts / @step AS INTEGER) = CAST(s.ts / @step AS INTEGER))
        AND EXISTS (SELECT 1 FROM scrapes n WHERE n.epoch_id = s.epoch_id AND n.outcome = 'ok' AND n.id > s.id)
      ORDER BY s.id LIMIT ${BATCH}`,
  );
  const nextOk = db.prepare(`SELECT id, keyframe FROM scrapes WHERE epoch_id = ? AND outcome = 'ok' AND id > ? ORDER BY id LIMIT 1`);
  const foldFunctions = db.prepare(
    `INSERT INTO function_values (scrape_id, function_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects)
       SELECT @next, function_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects FROM function_values WHERE scrape_id = @id
     ON CONFLICT (scrape_id, function_id) DO UPDATE SET
       inuse_bytes = inuse_bytes + excluded.inuse_bytes, inuse_objects = inuse_objects + excluded.inuse_objects,
       alloc_bytes = alloc_bytes + excluded.alloc_bytes, alloc_objects = alloc_objects + excluded.alloc_objects`,
  );
  const foldStacks = db.prepare(
    `INSERT INTO stack_values (scrape_id, stack_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects)
       SELECT @next, stack_id, inuse_bytes, inuse_objects, alloc_bytes, alloc_objects FROM stack_values WHERE scrape_id = @id
     ON CONFLICT (scrape_id, stack_id) DO UPDATE SET
       inuse_bytes = inuse_bytes + excluded.inuse_bytes, inuse_objects = inuse_objects + excluded.inuse_objects,
       alloc_bytes = alloc_bytes + excluded.alloc_bytes, alloc_objects = alloc_objects + excluded.alloc_objects`,
  );
  const dropZeros = db.prepare(`DELETE FROM function_values WHERE scrape_id = ? AND inuse_bytes = 0 AND inuse_objects = 0 AND alloc_bytes = 0 AND alloc_objects = 0`);
  const dropStackZeros = db.prepare(`DELETE FROM stack_values WHERE scrape_id = ? AND inuse_bytes = 0 AND inuse_objects = 0 AND alloc_bytes = 0 AND alloc_objects = 0`);
  const drop = db.prepare(`DELETE FROM scrapes WHERE id = ?`);

  const batch = db.transaction((rows: { id: number; epochId: number }[]) => {
    for (const { id, epochId } of rows) {
      // Candidates always have a later ok scrape in their epoch (see the query).
      const next = nextOk.get(epochId, id) as { id: number; keyframe: number };
      if (!next.keyframe) {
        foldFunctions.run({ next: next.id, id });
        foldStacks.run({ next: next.id, id });
        dropZeros.run(next.id);
        dropStackZeros.run(next.id);
      }
      drop.run(id);
    }
  });

  let scrapesDropped = 0;
  for (let round = 0; round < 100_000; round++) {
    const rows = candidates.all({ cutoff: olderThanMs, step: stepMs }) as { id: number; epochId: number }[];
    if (rows.length === 0) break;
    batch(rows);
    scrapesDropped += rows.length;
    await yieldToLoop();
  }
  return { scrapesDropped };
}
