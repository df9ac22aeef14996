/**
 * heapwatch's Prometheus metrics. Created on a registry that is passed in, so
 * tests use a fresh one. Names follow Prometheus conventions: `heapwatch_`
 * prefix, base units (bytes, seconds), `_total` on counters.
 *
 * Per-target series carry `target` (the scrape URL) and `service`; they are
 * removed when a target leaves the config, so a churning fleet does not
 * accumulate dead series.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Target } from '../targets/target.js';

export const VERSION = '0.1.0';

export class HeapwatchMetrics {
  readonly registry: Registry;
  readonly scrapes: Counter<'target' | 'service' | 'outcome' | 'code'>;
  readonly scrapeDuration: Histogram;
  readonly lastScrapeDuration: Gauge<'target' | 'service'>;
  readonly targetUp: Gauge<'target' | 'service' | 'instance'>;
  readonly profileBytes: Histogram;
  readonly inuseBytes: Gauge<'target' | 'service'>;
  readonly inuseObjects: Gauge<'target' | 'service'>;
  readonly skipped: Counter<'target' | 'service'>;
  readonly targets: Gauge;
  readonly storeWriteErrors: Counter<'code'>;
  readonly storeHealthy: Gauge;
  readonly configReloads: Counter<'result'>;
  readonly sdErrors: Counter<'source'>;

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    this.scrapes = new Counter({
      name: 'heapwatch_scrapes_total',
      help: 'Heap profile scrapes by outcome (ok, stale: no GC since the last scrape, error) and error code.',
      labelNames: ['target', 'service', 'outcome', 'code'],
      registers,
    });
    this.scrapeDuration = new Histogram({
      name: 'heapwatch_scrape_duration_seconds',
      help: 'Time to fetch, decode and store one profile, over all targets.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.lastScrapeDuration = new Gauge({
      name: 'heapwatch_target_scrape_duration_seconds',
      help: 'Duration of the most recent scrape of the target.',
      labelNames: ['target', 'service'],
      registers,
    });
    this.targetUp = new Gauge({
      name: 'heapwatch_target_up',
      help: '1 if the most recent scrape of the target succeeded, 0 if it failed.',
      labelNames: ['target', 'service', 'instance'],
      registers,
    });
    this.profileBytes = new Histogram({
      name: 'heapwatch_profile_bytes',
      help: 'Size of fetched profiles as received (compressed), over all targets.',
      buckets: [1e4, 5e4, 1e5, 5e5, 1e6, 5e6, 2e7, 6.4e7],
      registers,
    });
    this.inuseBytes = new Gauge({
      name: 'heapwatch_target_inuse_bytes',
      help: 'Total inuse_space of the target at its most recent profile (as of the last GC).',
      labelNames: ['target', 'service'],
      registers,
    });
    this.inuseObjects = new Gauge({
      name: 'heapwatch_target_inuse_objects',
      help: 'Total inuse_objects of the target at its most recent profile.',
      labelNames: ['target', 'service'],
      registers,
    });
    this.skipped = new Counter({
      name: 'heapwatch_scrape_skipped_total',
      help: 'Scrape slots skipped because the previous scrape of the target was still running.',
      labelNames: ['target', 'service'],
      registers,
    });
    this.targets = new Gauge({ name: 'heapwatch_targets', help: 'Targets currently configured or discovered for this replica.', registers });
    this.storeWriteErrors = new Counter({
      name: 'heapwatch_store_write_errors_total',
      help: 'Failed database writes (e.g. disk full, read-only file).',
      labelNames: ['code'],
      registers,
    });
    this.storeHealthy = new Gauge({ name: 'heapwatch_store_healthy', help: '1 if the most recent database write succeeded.', registers });
    this.storeHealthy.set(1);
    this.configReloads = new Counter({
      name: 'heapwatch_config_reloads_total',
      help: 'Configuration reloads (SIGHUP) by result.',
      labelNames: ['result'],
      registers,
    });
    this.sdErrors = new Counter({
      name: 'heapwatch_sd_errors_total',
      help: 'Service-discovery files or endpoints that could not be read or parsed.',
      labelNames: ['source'],
      registers,
    });
    new Gauge({
      name: 'heapwatch_build_info',
      help: 'Build information; always 1.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }).set({ version: VERSION, nodejs_version: process.version }, 1);
  }

  observeScrape(target: Target, o: { outcome: 'ok' | 'stale' | 'error'; code?: string; durationMs: number; bodyBytes?: number }): void {
    const t = ids(target);
    this.scrapes.inc({ ...t, outcome: o.outcome, code: o.code ?? '' });
    this.scrapeDuration.observe(o.durationMs / 1000);
    this.lastScrapeDuration.set(t, o.durationMs / 1000);
    this.targetUp.set({ ...t, instance: target.labels.instance ?? '' }, o.outcome === 'error' ? 0 : 1);
    if (o.bodyBytes !== undefined) this.profileBytes.observe(o.bodyBytes);
  }

  observeInuse(target: Target, bytes: number, objects: number): void {
    this.inuseBytes.set(ids(target), bytes);
    this.inuseObjects.set(ids(target), objects);
  }

  /** Drops every series of a target that left the config. */
  async removeTarget(target: Target): Promise<void> {
    await removeSeries([this.scrapes, this.lastScrapeDuration, this.targetUp, this.inuseBytes, this.inuseObjects, this.skipped], target.key);
  }
}

export function ids(target: Target): { target: string; service: string } {
  return { target: target.key, service: target.labels.service ?? '' };
}

type AnyMetric = Gauge<string> | Counter<string>;

/** prom-client removes series by their exact label set only; find every set with this target. */
export async function removeSeries(metrics: AnyMetric[], targetKey: string): Promise<void> {
  for (const m of metrics) {
    const { values } = await m.get();
    for (const v of values) if (v.labels.target === targetKey) m.remove(v.labels as Record<string, string>);
  }
}
