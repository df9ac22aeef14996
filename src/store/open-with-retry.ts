/**
 * Opening the database at start-up without a crash loop: when the file cannot
 * be opened (a read-only filesystem, a full disk, a permission problem), the
 * daemon logs why and retries until the database opens. A supervisor
 * restarting it would change nothing. Meanwhile the API (already listening,
 * the one HTTP server) runs in its not-ready mode: /healthz ok, /readyz 503
 * with the reason, /metrics with heapwatch_store_healthy 0.
 */
import { HeapwatchError } from '../errors.js';
import type { Logger } from '../log.js';
import { openDatabase, type Db } from './db.js';

export interface OpenRetryOptions {
  path: string;
  log: Logger;
  /** Called once when the first attempt fails (store health, for /readyz and the metric). */
  onUnavailable: (reason: string) => void;
  retryMs: number;
  signal?: AbortSignal;
}

export async function openDatabaseWithRetry(o: OpenRetryOptions): Promise<Db> {
  try {
    return openDatabase(o.path);
  } catch (err) {
    if (!(err instanceof HeapwatchError) || err.code !== 'HW_ERR_STORE_OPEN') throw err;
    o.onUnavailable('database unavailable');
    o.log.error({ code: err.code, err: { message: err.message } }, `database unavailable; serving health endpoints and retrying every ${o.retryMs} ms`);
  }
  for (;;) {
    await new Promise((r) => setTimeout(r, o.retryMs));
    if (o.signal?.aborted) throw new HeapwatchError('HW_ERR_STORE_OPEN', 'start-up aborted');
    try {
      const db = openDatabase(o.path);
      o.log.info('database available again; starting');
      return db;
    } catch (err) {
      o.log.warn({ err: { message: (err as Error).message } }, 'database still unavailable');
    }
  }
}
