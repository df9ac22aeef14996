/**
 * heapwatch's Prometheus metrics. Created on a registry that is passed in, so
 * tests use a fresh one. Names follow Prometheus conventions: `heapwatch_`
 * prefix, base units (bytes, seconds), `_total` on counters.
 *
 * Per-target series carry `target` (the scrape URL) and `service`; they are
 * removed when a target leaves the config, so a churning fleet does not
 * accumulate dead series. They live in TargetFamily (rendered and cached per
 * target, see target-families.ts); prom-client holds the fleet-wide metrics.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { FindingEvent } from '../detect/findings.js';
import type { FunctionsView } from '../store/reader.js';
import type { ProfileOrigin } from '../targets/origin.js';
import { VERSION } from '../version.js';
import { TargetFamily, type FamilyType } from './target-families.js';

/** What the /metrics routes serve. */
export interface MetricsExposition {
  readonly contentType: string;
  exposition(): Promise<string>;
}

export class HeapwatchMetrics implements MetricsExposition {
  readonly registry: Registry;
  readonly scrapes: TargetFamily<'target' | 'service' | 'outcome' | 'code'>;
  readonly scrapeDuration: Histogram;
  readonly lastScrapeDuration: TargetFamily<'target' | 'service'>;
  readonly targetUp: TargetFamily<'target' | 'service' | 'instance'>;
  readonly profileBytes: Histogram;
  readonly inuseBytes: TargetFamily<'target' | 'service'>;
  readonly inuseObjects: TargetFamily<'target' | 'service'>;
  readonly skipped: TargetFamily<'target' | 'service'>;
  readonly goroutines: TargetFamily<'target' | 'service' | 'kind'>;
  readonly goroutineFetches: TargetFamily<'target' | 'service' | 'kind' | 'outcome' | 'code'>;
  readonly targets: Gauge;
  readonly storeWriteErrors: Counter<'code'>;
  readonly storeHealthy: Gauge;
  readonly checkpoints: Counter<'result'>;
  readonly walFrames: Gauge;
  readonly configReloads: Counter<'result'>;
  readonly sdErrors: Counter<'source'>;
  readonly findingOpen: TargetFamily<FindingLabel>;
  readonly findingGrowth: TargetFamily<FindingLabel>;
  readonly findingsRaised: Counter<'class' | 'severity'>;
  readonly moduleInfo: TargetFamily<'target' | 'service' | 'module' | 'version'>;
  readonly functionInuse: TargetFamily<'target' | 'service' | 'function'>;
  readonly functionGrowth: TargetFamily<'target' | 'service' | 'function'>;
  readonly functionSeriesDropped: TargetFamily<'target' | 'service'>;
  /** The per-target families, in exposition order. */
  readonly #families: TargetFamily<string>[] = [];
  /** Per-target top-K function label sets currently exported, to drop the ones that fall out. */
  readonly #exportedFunctions = new Map<string, Set<string>>();
  readonly #services = new Map<string, string>();
  /** Per target, each open finding's exported label set (by finding key). */
  readonly #findingLabels = new Map<string, Map<string, Record<FindingLabel, string>>>();
  readonly #exportedModules = new Map<string, { target: string; service: string; module: string; version: string }[]>();

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    const target = ['target', 'service'] as const;
    this.scrapes = this.#family('heapwatch_scrapes_total', 'Heap profile scrapes by outcome (ok, stale: no GC since the last scrape, error) and error code.', 'counter', [
      ...target,
      'outcome',
      'code',
    ]);
    this.scrapeDuration = new Histogram({
      name: 'heapwatch_scrape_duration_seconds',
      help: 'Time to fetch, decode and store one profile, over all targets.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.lastScrapeDuration = this.#family('heapwatch_target_scrape_duration_seconds', 'Duration of the most recent scrape of the target.', 'gauge', target);
    this.targetUp = this.#family('heapwatch_target_up', '1 if the most recent scrape of the target succeeded, 0 if it failed.', 'gauge', [...target, 'instance']);
    this.profileBytes = new Histogram({
      name: 'heapwatch_profile_bytes',
      help: 'Size of fetched profiles as received (compressed), over all targets.',
      buckets: [1e4, 5e4, 1e5, 5e5, 1e6, 5e6, 2e7, 6.4e7],
      registers,
    });
    this.inuseBytes = this.#family('heapwatch_target_inuse_bytes', 'Total inuse_space of the target at its most recent profile (as of the last GC).', 'gauge', target);
    this.inuseObjects = this.#family('heapwatch_target_inuse_objects', 'Total inuse_objects of the target at its most recent profile.', 'gauge', target);
    this.goroutines = this.#family(
      'heapwatch_target_goroutines',
      'Goroutines of the target at its most recent goroutine profile (kind="goroutine"), and those Go proved leaked at its most recent goroutineleak profile (kind="goroutineleak").',
      'gauge',
      [...target, 'kind'],
    );
    this.goroutineFetches = this.#family(
      'heapwatch_goroutine_profile_fetches_total',
      'Goroutine and goroutineleak profile fetches by outcome (ok, error, unavailable: the target answered 404, this Go has no such profile) and error code.',
      'counter',
      [...target, 'kind', 'outcome', 'code'],
    );
    this.skipped = this.#family('heapwatch_scrape_skipped_total', 'Scrape slots skipped because the previous scrape of the target was still running.', 'counter', target);
    this.targets = new Gauge({ name: 'heapwatch_targets', help: 'Targets currently configured or discovered for this replica.', registers });
    this.storeWriteErrors = new Counter({
      name: 'heapwatch_store_write_errors_total',
      help: 'Failed database writes (e.g. disk full, read-only file).',
      labelNames: ['code'],
      registers,
    });
    this.storeHealthy = new Gauge({ name: 'heapwatch_store_healthy', help: '1 if the most recent database write succeeded.', registers });
    this.storeHealthy.set(1);
    this.checkpoints = new Counter({
      name: 'heapwatch_store_checkpoints_total',
      help: 'Background WAL checkpoints by result: ok, busy (could not finish; retried next interval), error.',
      labelNames: ['result'],
      registers,
    });
    this.walFrames = new Gauge({ name: 'heapwatch_store_wal_frames', help: 'Pages in the SQLite WAL at the last checkpoint.', registers });
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
    this.findingOpen = this.#family('heapwatch_finding_open', 'Open leak findings: 1 per finding, labelled with its leak class, severity and key function.', 'gauge', findingLabels);
    this.findingGrowth = this.#family('heapwatch_finding_growth_bytes_per_second', 'Growth rate of each open finding (Theil-Sen slope over the detection window).', 'gauge', findingLabels);
    this.findingsRaised = new Counter({
      name: 'heapwatch_findings_raised_total',
      help: 'Findings raised since start, by leak class and severity.',
      labelNames: ['class', 'severity'],
      registers,
    });
    this.moduleInfo = this.#family('heapwatch_module_info', 'Go module versions read from the profile filenames of the target (1 per module@version).', 'gauge', [...target, 'module', 'version']);
    this.functionInuse = this.#family('heapwatch_function_inuse_bytes', "Flat inuse bytes of the target's top growing functions and of functions with open findings.", 'gauge', [
      ...target,
      'function',
    ]);
    this.functionGrowth = this.#family('heapwatch_function_growth_bytes_per_second', 'Growth of the same functions over the last hour of the current process epoch.', 'gauge', [
      ...target,
      'function',
    ]);
    this.functionSeriesDropped = this.#family(
      'heapwatch_function_series_dropped',
      'Functions of the target not exported per function (bounded cardinality); the API has them all.',
      'gauge',
      target,
    );
    new Gauge({
      name: 'heapwatch_build_info',
      help: 'Build information; always 1.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }).set({ version: VERSION, nodejs_version: process.version }, 1);
  }

  observeScrape(target: ProfileOrigin, o: { outcome: 'ok' | 'stale' | 'error'; code?: string; durationMs: number; bodyBytes?: number }): void {
    const t = ids(target);
    this.scrapes.inc({ ...t, outcome: o.outcome, code: o.code ?? '' });
    this.scrapeDuration.observe(o.durationMs / 1000);
    this.lastScrapeDuration.set(t, o.durationMs / 1000);
    this.targetUp.set({ ...t, instance: target.labels.instance ?? '' }, o.outcome === 'error' ? 0 : 1);
    if (o.bodyBytes !== undefined) this.profileBytes.observe(o.bodyBytes);
  }

  /** A goroutine or goroutineleak fetch: its outcome, and on success the goroutines it counted. */
  observeGoroutines(target: ProfileOrigin, kind: 'goroutine' | 'goroutineleak', o: { outcome: 'ok' | 'error' | 'unavailable'; code?: string; goroutines?: number }): void {
    const t = ids(target);
    this.goroutineFetches.inc({ ...t, kind, outcome: o.outcome, code: o.code ?? '' });
    if (o.goroutines !== undefined) this.goroutines.set({ ...t, kind }, o.goroutines);
  }

  observeInuse(target: ProfileOrigin, bytes: number, objects: number): void {
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
  observeModules(target: ProfileOrigin, modules: readonly { path: string; version: string }[]): void {
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
  observeTopFunctions(target: ProfileOrigin, view: FunctionsView, k: number, keep: ReadonlySet<string>, totalFunctions: number): void {
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
    // An update may change a label (severity, headline): drop the finding's previous series, or it would stay open forever.
    const exported = this.#findingLabels.get(targetKey) ?? new Map<string, Record<FindingLabel, string>>();
    this.#findingLabels.set(targetKey, exported);
    const before = exported.get(f.key);
    if (before) {
      this.findingOpen.remove(before);
      this.findingGrowth.remove(before);
    }
    if (e.type === 'resolved') {
      exported.delete(f.key);
      return;
    }
    exported.set(f.key, labels);
    if (e.type === 'opened') this.findingsRaised.inc({ class: f.class, severity: f.severity });
    this.findingOpen.set(labels, 1);
    this.findingGrowth.set(labels, f.bytes_per_hour / 3600);
  }

  /** Remembers a target's service label, for series keyed by target only. */
  registerTarget(target: ProfileOrigin): void {
    this.#services.set(target.key, target.labels.service ?? '');
  }

  /** Drops every series of a target that left the config. */
  removeTarget(target: Pick<ProfileOrigin, 'key'>): void {
    this.#exportedFunctions.delete(target.key);
    this.#exportedModules.delete(target.key);
    this.#services.delete(target.key);
    this.#findingLabels.delete(target.key);
    for (const f of this.#families) f.removeTarget(target.key);
  }

  /**
   * Every metric name in the exposition (histograms as their base name), for
   * tests that check rules and dashboards against it; `perTarget` marks the
   * families labelled with target and service.
   */
  metricNames(): { name: string; type: string; perTarget: boolean }[] {
    const fromRegistry = this.registry.getMetricsAsArray().map((m) => {
      const { name, type } = m as unknown as { name: string; type: string };
      return { name, type, perTarget: false };
    });
    return [...fromRegistry, ...this.#families.map((f) => ({ name: f.name, type: f.type, perTarget: true }))];
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition: prom-client's registry, then the cached per-target families. */
  async exposition(): Promise<string> {
    const head = await this.registry.metrics();
    return `${head}\n${this.#families.map((f) => f.render()).join('\n')}`;
  }

  #family<L extends string>(name: string, help: string, type: FamilyType, labelNames: readonly L[]): TargetFamily<L> {
    const family = new TargetFamily<L>(name, help, type, labelNames);
    this.#families.push(family);
    return family;
  }
}

const EXPORTED_MODULES = /^github\.com\/(?:cloudwego|bytedance)\//;

type FindingLabel = 'target' | 'service' | 'class' | 'severity' | 'function' | 'summary';

export function ids(target: ProfileOrigin): { target: string; service: string } {
  return { target: target.key, service: target.labels.service ?? '' };
}
