/**
 * What a scrape loop hands on. The scrape package defines it and main.ts
 * supplies the implementation (decode, store, detect), so scrape/ never
 * imports the store, as Prometheus's scrape manager is handed an Appendable.
 */
import type { ErrorRecord } from '../errors.js';
import type { Target } from '../targets/target.js';

export type ScrapeResult =
  | { ok: true; startedAt: number; durationMs: number; body: Uint8Array }
  | { ok: false; startedAt: number; durationMs: number; error: ErrorRecord };

export interface ScrapeSink {
  /**
   * Takes one scrape's result and returns what became of it. A fetch that
   * succeeded can still fail here (a malformed profile, a full disk): the
   * returned record says so. Must not reject.
   */
  append(target: Target, result: ScrapeResult): Promise<ScrapeOutcome>;
}

/** `stale`: the profile had no new GC since the last scrape (stored, but nothing new). */
export type ScrapeOutcome = { ok: true; stale?: boolean } | { ok: false; error: ErrorRecord };
