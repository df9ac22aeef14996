/**
 * heapwatch's Prometheus metrics, put together: each stage's metrics are
 * defined beside it (scrape/metrics.ts, pipeline/metrics.ts,
 * store/metrics.ts, export/metrics.ts) and created here on one registry and
 * one set of per-target families, which /metrics renders. Created on a
 * registry that is passed in, so tests use a fresh one. Names follow
 * Prometheus conventions: `heapwatch_` prefix, base units (bytes, seconds),
 * `_total` on counters.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FindingEvent } from '../detect/findings.js';
import { ExportMetrics, type MetricsExposition } from '../export/metrics.js';
import { TargetFamilies } from '../export/target-families.js';
import { PipelineStageMetrics } from '../pipeline/metrics.js';
import { ScrapeMetrics } from '../scrape/metrics.js';
import { StoreMetrics } from '../store/metrics.js';
import type { FunctionsView } from '../store/reader.js';
import type { ProfileOrigin } from '../targets/origin.js';
import { VERSION } from '../version.js';

/** Every stage's metrics on one registry and one set of per-target families; /metrics serves its exposition. */
export class HeapwatchMetrics implements MetricsExposition {
  readonly registry: Registry;
  readonly families = new TargetFamilies();
  readonly scrape: ScrapeMetrics;
  readonly pipeline: PipelineStageMetrics;
  readonly store: StoreMetrics;
  readonly export: ExportMetrics;
  readonly configReloads: Counter<'result'>;

  constructor(registry: Registry) {
    this.registry = registry;
    this.scrape = new ScrapeMetrics(registry, this.families);
    this.pipeline = new PipelineStageMetrics(registry, this.families);
    this.store = new StoreMetrics(registry);
    this.configReloads = new Counter({ name: 'heapwatch_config_reloads_total', help: 'Configuration reloads (SIGHUP) by result.', labelNames: ['result'], registers: [registry] });
    this.export = new ExportMetrics(registry, this.families);
    new Gauge({ name: 'heapwatch_build_info', help: 'Build information; always 1.', labelNames: ['version', 'nodejs_version'], registers: [registry] }).set(
      { version: VERSION, nodejs_version: process.version },
      1,
    );
  }

  /** Scrape slots skipped (scrape/metrics.ts). */
  get skipped(): ScrapeMetrics['skipped'] {
    return this.scrape.skipped;
  }

  observeScrape(target: ProfileOrigin, o: { outcome: 'ok' | 'stale' | 'error'; code?: string; durationMs: number; bodyBytes?: number }): void {
    this.scrape.observeScrape(target, o);
  }

  observeInuse(target: ProfileOrigin, bytes: number, objects: number): void {
    this.pipeline.observeInuse(target, bytes, objects);
  }

  observeGoroutines(target: ProfileOrigin, kind: 'goroutine' | 'goroutineleak', o: { outcome: 'ok' | 'error' | 'unavailable'; code?: string; goroutines?: number }): void {
    this.pipeline.observeGoroutines(target, kind, o);
  }

  observeModules(target: ProfileOrigin, modules: readonly { path: string; version: string }[]): void {
    this.export.observeModules(target, modules);
  }

  observeTopFunctions(target: ProfileOrigin, view: FunctionsView, k: number, keep: ReadonlySet<string>, totalFunctions: number): void {
    this.export.observeTopFunctions(target, view, k, keep, totalFunctions);
  }

  observeFinding(targetKey: string, e: FindingEvent): void {
    this.export.observeFinding(targetKey, e);
  }

  /** Remembers a target's service label, for series keyed by target only. */
  registerTarget(target: ProfileOrigin): void {
    this.export.registerTarget(target);
  }

  /** Drops every series of a target that left the config, in every stage's families. */
  removeTarget(target: Pick<ProfileOrigin, 'key'>): void {
    this.export.removeTarget(target);
    this.families.removeTarget(target.key);
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
    return [...fromRegistry, ...this.families.list().map((f) => ({ name: f.name, type: f.type, perTarget: true }))];
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition: prom-client's registry, then the cached per-target families. */
  async exposition(): Promise<string> {
    const head = await this.registry.metrics();
    return `${head}\n${this.families.render()}`;
  }
}
