/**
 * Bounds the disk: deletes scrapes (and, by cascade, their values and raw
 * profiles) older than the retention period, in small batches that yield to
 * the event loop between them, so a large purge never stalls scraping.
 *
 * Deltas need the keyframe before them, so per target the cut is made at the
 * last keyframe at or before the cutoff: everything before it goes, and the
 * remaining history still rebuilds. (At most one keyframe period more than the
 * retention period is kept.)
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Db } from './db.js';

/** What one retention pass deleted, for the logs. */
export interface RetentionResult {
  scrapesDeleted: number;
  /** Goroutine and goroutineleak fetches (migration 006), cut the same way per target and kind. */
  goroutineScrapesDeleted: number;
  epochsDeleted: number;
}

const BATCH = 500;

export async function pruneOlderThan(db: Db, cutoffMs: number): Promise<RetentionResult> {
  const targets = db.prepare(`SELECT id FROM targets`).pluck().all() as number[];
  const boundaryOf = db.prepare(`SELECT MAX(id) FROM scrapes WHERE target_id = ? AND keyframe = 1 AND ts <= ?`).pluck();
  const deleteBatch = db.prepare(
    `DELETE FROM scrapes WHERE id IN (SELECT id FROM scrapes WHERE target_id = ? AND id < ? LIMIT ${BATCH})`,
  );
  const deleteOldErrors = db.prepare(
    `DELETE FROM scrapes WHERE id IN (SELECT id FROM scrapes WHERE target_id = ? AND outcome = 'error' AND ts < ? LIMIT ${BATCH})`,
  );
  let scrapesDeleted = 0;
  for (const targetId of targets) {
    const boundary = boundaryOf.get(targetId, cutoffMs) as number | null;
    if (boundary !== null) {
      for (;;) {
        const n = deleteBatch.run(targetId, boundary).changes;
        scrapesDeleted += n;
        if (n < BATCH) break;
        await yieldToLoop();
      }
    }
    // Failed scrapes carry no values, so they can go at the cutoff itself.
    for (;;) {
      const n = deleteOldErrors.run(targetId, cutoffMs).changes;
      scrapesDeleted += n;
      if (n < BATCH) break;
      await yieldToLoop();
    }
    await yieldToLoop();
  }
  const goroutineScrapesDeleted = await pruneGoroutines(db, targets, cutoffMs);
  const epochsDeleted = db
    .prepare(
      `DELETE FROM epochs WHERE ended_at IS NOT NULL AND ended_at < ? AND NOT EXISTS (SELECT 1 FROM scrapes s WHERE s.epoch_id = epochs.id)
         AND NOT EXISTS (SELECT 1 FROM goroutine_scrapes g WHERE g.epoch_id = epochs.id)`,
    )
    .run(cutoffMs).changes;
  // Function and stack dictionary rows stay: they are small, shared by all
  // targets, and the writer caches their ids.
  db.pragma('incremental_vacuum(2000)');
  return { scrapesDeleted, goroutineScrapesDeleted, epochsDeleted };
}

/** The heap's rule for goroutine fetches: per target and kind, everything before the last keyframe at or before the cutoff. */
async function pruneGoroutines(db: Db, targets: readonly number[], cutoffMs: number): Promise<number> {
  const boundaryOf = db.prepare(`SELECT MAX(id) FROM goroutine_scrapes WHERE target_id = ? AND kind = ? AND keyframe = 1 AND ts <= ?`).pluck();
  const deleteBatch = db.prepare(
    `DELETE FROM goroutine_scrapes WHERE id IN (SELECT id FROM goroutine_scrapes WHERE target_id = ? AND kind = ? AND id < ? LIMIT ${BATCH})`,
  );
  const deleteOldFailures = db.prepare(
    `DELETE FROM goroutine_scrapes WHERE id IN (SELECT id FROM goroutine_scrapes WHERE target_id = ? AND outcome != 'ok' AND ts < ? LIMIT ${BATCH})`,
  );
  let deleted = 0;
  const drain = async (run: () => number): Promise<void> => {
    for (;;) {
      const n = run();
      deleted += n;
      if (n < BATCH) break;
      await yieldToLoop();
    }
  };
  for (const targetId of targets) {
    for (const kind of ['goroutine', 'goroutineleak']) {
      const boundary = boundaryOf.get(targetId, kind, cutoffMs) as number | null;
      if (boundary !== null) await drain(() => deleteBatch.run(targetId, kind, boundary).changes);
    }
    await drain(() => deleteOldFailures.run(targetId, cutoffMs).changes);
  }
  return deleted;
}
