/**
 * The pipeline's own metrics: what each decoded profile says about its
 * target (inuse totals), and what target sync sees (targets owned,
 * discovery sources that failed).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TargetFamilies, TargetFamily } from '../export/target-families.js';
import type { ProfileOrigin } from '../targets/origin.js';

/** Inuse totals per target, targets owned, discovery errors. */
export class PipelineStageMetrics {
  readonly inuseBytes: TargetFamily<'target' | 'service'>;
  readonly inuseObjects: TargetFamily<'target' | 'service'>;
  readonly goroutines: TargetFamily<'target' | 'service' | 'kind'>;
  readonly goroutineFetches: TargetFamily<'target' | 'service' | 'kind' | 'outcome' | 'code'>;
  readonly targets: Gauge;
  readonly sdErrors: Counter<'source'>;

  constructor(registry: Registry, families: TargetFamilies) {
    const registers = [registry];
    const target = ['target', 'service'] as const;
    this.inuseBytes = families.create('heapwatch_target_inuse_bytes', 'Total inuse_space of the target at its most recent profile (as of the last GC).', 'gauge', target);
    this.inuseObjects = families.create('heapwatch_target_inuse_objects', 'Total inuse_objects of the target at its most recent profile.', 'gauge', target);
    this.goroutines = families.create(
      'heapwatch_target_goroutines',
      'Goroutines of the target at its most recent goroutine profile (kind="goroutine"), and those Go proved leaked at its most recent goroutineleak profile (kind="goroutineleak").',
      'gauge',
      [...target, 'kind'],
    );
    this.goroutineFetches = families.create(
      'heapwatch_goroutine_profile_fetches_total',
      'Goroutine and goroutineleak profile fetches by outcome (ok, error, unavailable: the target answered 404, this Go has no such profile) and error code.',
      'counter',
      [...target, 'kind', 'outcome', 'code'],
    );
    this.targets = new Gauge({ name: 'heapwatch_targets', help: 'Targets currently configured or discovered for this replica.', registers });
    this.sdErrors = new Counter({
      name: 'heapwatch_sd_errors_total',
      help: 'Service-discovery files or endpoints that could not be read or parsed.',
      labelNames: ['source'],
      registers,
    });
  }

  /** A goroutine or goroutineleak fetch: its outcome, and on success the goroutines it counted. */
  observeGoroutines(target: ProfileOrigin, kind: 'goroutine' | 'goroutineleak', o: { outcome: 'ok' | 'error' | 'unavailable'; code?: string; goroutines?: number }): void {
    const t = { target: target.key, service: target.labels.service ?? '' };
    this.goroutineFetches.inc({ ...t, kind, outcome: o.outcome, code: o.code ?? '' });
    if (o.goroutines !== undefined) this.goroutines.set({ ...t, kind }, o.goroutines);
  }

  observeInuse(target: ProfileOrigin, bytes: number, objects: number): void {
    const t = { target: target.key, service: target.labels.service ?? '' };
    this.inuseBytes.set(t, bytes);
    this.inuseObjects.set(t, objects);
  }
}
