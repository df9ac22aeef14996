/**
 * The push receivers' own series, fleet-wide (pushed targets also get every
 * per-target series a scraped one has, through the same ingest path).
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type PushProtocol = 'ingest' | 'connect';
/** What became of a pushed profile. */
export type PushResult = 'stored' | 'error' | 'dropped_type' | 'dropped_scraped' | 'dropped_target_cap';

export class PushMetrics {
  readonly requests: Counter<'protocol' | 'code'>;
  readonly profiles: Counter<'type' | 'result'>;
  readonly targets: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'heapwatch_push_requests_total',
      help: 'Push requests by protocol (ingest: pyroscope-go, connect: Alloy) and error code ("" when accepted).',
      labelNames: ['protocol', 'code'],
      registers,
    });
    this.profiles = new Counter({
      name: 'heapwatch_push_profiles_total',
      help: 'Pushed profiles by Pyroscope profile type and result: stored, error, dropped_type (not a heap profile), dropped_scraped (the same service and instance is scraped: scraping wins), dropped_target_cap.',
      labelNames: ['type', 'result'],
      registers,
    });
    this.targets = new Gauge({ name: 'heapwatch_push_targets', help: 'Pushed series currently known (targets with source push).', registers });
  }
}
