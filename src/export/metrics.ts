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
import type { FindingEvent } from '../detect/findings.js';
import type { FunctionsView } from '../store/reader.js';
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
  readonly findingOpen: Gauge<FindingLabel>;
  readonly findingGrowth: Gauge<FindingLabel>;
  readonly findingsRaised: Counter<'class' | 'severity'>;
  readonly moduleInfo: Gauge<'target' | 'service' | 'module' | 'version'>;
  readonly functionInuse: Gauge<'target' | 'service' | 'function'>;
  readonly functionGrowth: Gauge<'target' | 'service' | 'function'>;
  readonly functionSeriesDropped: Gauge<'target' | 'service'>;
  /** Per-target top-K function label sets currently exported, to drop the ones that fall out. */
  readonly #exportedFunctions = new Map<string, Set<string>>();
  readonly #services = new Map<string, string>();
  readonly #exportedModules = new Map<string, { target: string; service: string; module: string; version: string }[]>();

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
    const findingLabels = ['target', 'service', 'class', 'severity', 'function', 'summary'] as const;
    this.findingOpen = new Gauge({
      name: 'heapwatch_finding_open',
      help: 'Open leak findings: 1 per finding, labelled with its leak class, severity and key function.',
      labelNames: findingLabels,
      registers,
    });
    this.findingGrowth = new Gauge({
      name: 'heapwatch_finding_growth_bytes_per_second',
      help: 'Growth rate of each open finding (Theil-Sen slope over the detection window).',
      labelNames: findingLabels,
      registers,
    });
    this.findingsRaised = new Counter({
      name: 'heapwatch_findings_raised_total',
      help: 'Findings raised since start, by leak class and severity.',
      labelNames: ['class', 'severity'],
      registers,
    });
    this.moduleInfo = new Gauge({
      name: 'heapwatch_module_info',
      help: 'Go module versions read from the profile filenames of the target (1 per module@version).',
      labelNames: ['target', 'service', 'module', 'version'],
      registers,
    });
    this.functionInuse = new Gauge({
      name: 'heapwatch_function_inuse_bytes',
      help: "Flat inuse bytes of the target's top growing functions and of functions with open findings.",
      labelNames: ['target', 'service', 'function'],
      registers,
    });
    this.functionGrowth = new Gauge({
      name: 'heapwatch_function_growth_bytes_per_second',
      help: 'Growth of the same functions over the last hour of the current process epoch.',
      labelNames: ['target', 'service', 'function'],
      registers,
    });
    this.functionSeriesDropped = new Gauge({
      name: 'heapwatch_function_series_dropped',
      help: 'Functions of the target not exported per function (bounded cardinality); the API has them all.',
      labelNames: ['target', 'service'],
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

  /**
   * Module versions of the target's current process (a new process replaces
   * the old set). Only the CloudWeGo and ByteDance modules the leak classes
   * and alerts are about: a typical service links dozens of modules, and one
   * series each for a thousand targets would dominate /metrics. The API and
   * findings' evidence have all of them.
   */
  observeModules(target: Target, modules: readonly { path: string; version: string }[]): void {
    for (const old of this.#exportedModules.get(target.key) ?? []) this.moduleInfo.remove(old);
    const now = modules
      .filter((m) => EXPORTED_MODULES.test(m.path))
      .map((m) => ({ target: target.key, service: target.labels.service ?? '', module: m.path, version: m.version }));
    for (const labels of now) this.moduleInfo.set(labels, 1);
    this.#exportedModules.set(target.key, now);
  }

  /**
   * Per-function series, bounded: the top `k` growers plus the functions with
   * open findings. Functions that fall out of the set are removed.
   */
  observeTopFunctions(target: Target, view: FunctionsView, k: number, keep: ReadonlySet<string>, totalFunctions: number): void {
    const t = ids(target);
    const chosen = view.functions.filter((f, i) => (i < k && f.deltaBytes > 0) || keep.has(f.name));
    const now = new Set(chosen.map((f) => f.name));
    const before = this.#exportedFunctions.get(target.key) ?? new Set<string>();
    for (const name of before) {
      if (now.has(name)) continue;
      this.functionInuse.remove({ ...t, function: name });
      this.functionGrowth.remove({ ...t, function: name });
    }
    for (const f of chosen) {
      this.functionInuse.set({ ...t, function: f.name }, f.inuseBytes);
      this.functionGrowth.set({ ...t, function: f.name }, f.bytesPerHour / 3600);
    }
    this.#exportedFunctions.set(target.key, now);
    this.functionSeriesDropped.set(t, Math.max(0, totalFunctions - chosen.length));
  }

  observeFinding(targetKey: string, e: FindingEvent): void {
    const f = e.finding;
    const labels = { target: targetKey, service: this.#services.get(targetKey) ?? '', class: f.class, severity: f.severity, function: f.function, summary: f.headline };
    if (e.type === 'resolved') {
      this.findingOpen.remove(labels);
      this.findingGrowth.remove(labels);
      return;
    }
    if (e.type === 'opened') this.findingsRaised.inc({ class: f.class, severity: f.severity });
    this.findingOpen.set(labels, 1);
    this.findingGrowth.set(labels, f.bytes_per_hour / 3600);
  }

  /** Remembers a target's service label, for series keyed by target only. */
  registerTarget(target: Target): void {
    this.#services.set(target.key, target.labels.service ?? '');
  }

  /** Drops every series of a target that left the config. */
  async removeTarget(target: Target): Promise<void> {
    this.#exportedFunctions.delete(target.key);
    this.#exportedModules.delete(target.key);
    this.#services.delete(target.key);
    await removeSeries(
      [
        this.scrapes,
        this.lastScrapeDuration,
        this.targetUp,
        this.inuseBytes,
        this.inuseObjects,
        this.skipped,
        this.moduleInfo,
        this.functionInuse,
        this.functionGrowth,
        this.functionSeriesDropped,
        this.findingOpen,
        this.findingGrowth,
      ],
      target.key,
    );
  }
}

const EXPORTED_MODULES = /^github\.com\/(?:cloudwego|bytedance)\//;

type FindingLabel = 'target' | 'service' | 'class' | 'severity' | 'function' | 'summary';

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
