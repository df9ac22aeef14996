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
