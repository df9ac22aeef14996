/**
 * What /api/v1/targets says of a target's collection, whichever source feeds
 * it: a scrape loop fills it from its scrapes, the push registry from the
 * pushes it received (its "scrapes").
 */
import type { ErrorRecord } from '../errors.js';

export interface CollectionStatus {
  health: 'unknown' | 'up' | 'down';
  /** The last profile's outcome: stale when the target had no GC since the one before. */
  lastOutcome: 'ok' | 'stale' | 'error' | null;
  lastScrapeAt: number | null;
  lastDurationMs: number | null;
  lastError: ErrorRecord | null;
  scrapes: number;
  failures: number;
  /** Slots passed over because the previous scrape was still running. */
  skipped: number;
  nextDueAt: number;
}

/** What became of a profile as it reached the pipeline. `stale`: stored, but the process had no GC since the profile before. */
export type ArrivalOutcome = { ok: true; stale?: boolean } | { ok: false; error: ErrorRecord };

/** Counts one profile (scraped or pushed) that started at `at` and took `durationMs`, and its outcome, into `s`. */
export function recordCollection(s: CollectionStatus, at: number, durationMs: number, outcome: ArrivalOutcome): void {
  s.scrapes++;
  s.lastScrapeAt = at;
  s.lastDurationMs = durationMs;
  if (outcome.ok) {
    s.health = 'up';
    s.lastOutcome = outcome.stale ? 'stale' : 'ok';
    s.lastError = null;
  } else {
    s.health = 'down';
    s.lastOutcome = 'error';
    s.failures++;
    s.lastError = outcome.error;
  }
}
