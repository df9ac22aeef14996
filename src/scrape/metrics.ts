/**
 * The scrape stage's metrics. Per-target series carry `target` (the scrape
 * URL) and `service`, in TargetFamily (cached per target); prom-client holds
 * the fleet-wide histograms. The outcome of each scrape is known only after
 * the pipeline decoded and stored it, so the pipeline reports it here
 * (through its IngestMetrics interface).
 */
import { Histogram, type Registry } from 'prom-client';
import type { TargetFamilies, TargetFamily } from '../export/target-families.js';
import type { ProfileOrigin } from '../targets/origin.js';

export class ScrapeMetrics {
  readonly scrapes: TargetFamily<'target' | 'service' | 'outcome' | 'code'>;
  /**
   * The fetch alone (HTTP request and body), as the scrape source measures it:
   * decoding and storing run later in the pipeline, on other threads and in
   * other transactions, and are not part of it.
   */
  readonly scrapeDuration: Histogram;
  readonly lastScrapeDuration: TargetFamily<'target' | 'service'>;
  readonly targetUp: TargetFamily<'target' | 'service' | 'instance'>;
  readonly profileBytes: Histogram;
  readonly skipped: TargetFamily<'target' | 'service'>;

  constructor(registry: Registry, families: TargetFamilies) {
    const registers = [registry];
    const target = ['target', 'service'] as const;
    this.scrapes = families.create('heapwatch_scrapes_total', 'Heap profile scrapes by outcome (ok, stale: no GC since the last scrape, error) and error code.', 'counter', [
      ...target,
      'outcome',
      'code',
    ]);
    this.scrapeDuration = new Histogram({
      name: 'heapwatch_scrape_duration_seconds',
      help: 'Time to fetch one profile (HTTP request and body; decoding and storing not included), over all targets.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.lastScrapeDuration = families.create('heapwatch_target_scrape_duration_seconds', 'Fetch time of the most recent scrape of the target.', 'gauge', target);
    this.targetUp = families.create('heapwatch_target_up', '1 if the most recent scrape of the target succeeded, 0 if it failed.', 'gauge', [...target, 'instance']);
    this.profileBytes = new Histogram({
      name: 'heapwatch_profile_bytes',
      help: 'Size of fetched profiles as received (compressed), over all targets.',
      buckets: [1e4, 5e4, 1e5, 5e5, 1e6, 5e6, 2e7, 6.4e7],
      registers,
    });
    this.skipped = families.create('heapwatch_scrape_skipped_total', 'Scrape slots skipped because the previous scrape of the target was still running.', 'counter', target);
  }

  /** One scrape's outcome; `durationMs` is the fetch's. */
  observeScrape(target: ProfileOrigin, o: { outcome: 'ok' | 'stale' | 'error'; code?: string; durationMs: number; bodyBytes?: number }): void {
    const t = { target: target.key, service: target.labels.service ?? '' };
    this.scrapes.inc({ ...t, outcome: o.outcome, code: o.code ?? '' });
    this.scrapeDuration.observe(o.durationMs / 1000);
    this.lastScrapeDuration.set(t, o.durationMs / 1000);
    this.targetUp.set({ ...t, instance: target.labels.instance ?? '' }, o.outcome === 'error' ? 0 : 1);
    if (o.bodyBytes !== undefined) this.profileBytes.observe(o.bodyBytes);
  }
}
