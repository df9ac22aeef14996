/**
 * Whether the database takes writes, kept in one place: ingest reports each
 * write, the open-with-retry start-up reports the database unavailable, and
 * /readyz and heapwatch_store_healthy both read it, so they cannot disagree.
 */

/** The two store-health metrics (prom-client's Gauge and Counter fit). */
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
