/**
 * The pipeline's own metrics: what each decoded profile says about its
 * target (inuse totals), and what target sync sees (targets owned,
 * discovery sources that failed).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TargetFamilies, TargetFamily } from '../export/target-families.js';
import type { ProfileOrigin } from '../targets/origin.js';

export class PipelineStageMetrics {
  readonly inuseBytes: TargetFamily<'target' | 'service'>;
  readonly inuseObjects: TargetFamily<'target' | 'service'>;
  readonly targets: Gauge;
  readonly sdErrors: Counter<'source'>;

  constructor(registry: Registry, families: TargetFamilies) {
    const registers = [registry];
    const target = ['target', 'service'] as const;
    this.inuseBytes = families.create('heapwatch_target_inuse_bytes', 'Total inuse_space of the target at its most recent profile (as of the last GC).', 'gauge', target);
    this.inuseObjects = families.create('heapwatch_target_inuse_objects', 'Total inuse_objects of the target at its most recent profile.', 'gauge', target);
    this.targets = new Gauge({ name: 'heapwatch_targets', help: 'Targets currently configured or discovered for this replica.', registers });
    this.sdErrors = new Counter({
      name: 'heapwatch_sd_errors_total',
      help: 'Service-discovery files or endpoints that could not be read or parsed.',
      labelNames: ['source'],
      registers,
    });
  }

  observeInuse(target: ProfileOrigin, bytes: number, objects: number): void {
    const t = { target: target.key, service: target.labels.service ?? '' };
    this.inuseBytes.set(t, bytes);
    this.inuseObjects.set(t, objects);
  }
}
