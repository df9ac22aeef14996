/**
 * The store's metrics, and its health. Whether the database takes writes is
 * kept in one place, StoreHealth: ingest reports each write, the
 * open-with-retry start-up reports the database unavailable, and /readyz and
 * heapwatch_store_healthy both read it, so they cannot disagree.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class StoreMetrics {
  readonly storeWriteErrors: Counter<'code'>;
  readonly storeHealthy: Gauge;
  readonly checkpoints: Counter<'result'>;
  readonly walFrames: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
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
  }

  /** A background checkpoint's report (store/checkpoint-worker.ts). */
  observeCheckpoint(r: { ok: boolean; busy?: boolean; walFrames?: number }): void {
    this.checkpoints.inc({ result: !r.ok ? 'error' : r.busy ? 'busy' : 'ok' });
    if (r.ok && r.walFrames !== undefined) this.walFrames.set(r.walFrames);
  }
}

/** The two store-health metrics (StoreMetrics, or a fake). */
export interface StoreHealthMetrics {
  storeHealthy: { set(value: number): void };
  storeWriteErrors: { inc(labels: { code: string }): void };
}

export class StoreHealth {
  readonly #metrics: StoreHealthMetrics;
  #healthy = true;
  #reason: string | undefined;

  constructor(metrics: StoreHealthMetrics) {
    this.#metrics = metrics;
    metrics.storeHealthy.set(1);
  }

  /** False while database writes fail (disk full, read-only file) or the database is not open yet. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Why it is not healthy (for /readyz), undefined when it is. */
  get reason(): string | undefined {
    return this.#reason;
  }

  writeSucceeded(): void {
    this.#set(true, undefined);
  }

  writeFailed(code: string): void {
    this.#metrics.storeWriteErrors.inc({ code });
    this.#set(false, `database write failed (${code})`);
  }

  /** The database could not be opened (start-up retries it). */
  unavailable(reason: string): void {
    this.#set(false, reason);
  }

  #set(healthy: boolean, reason: string | undefined): void {
    this.#healthy = healthy;
    this.#reason = reason;
    this.#metrics.storeHealthy.set(healthy ? 1 : 0);
  }
}
