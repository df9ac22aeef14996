/**
 * Opening the database at start-up without a crash loop: when the file cannot
 * be opened (a read-only filesystem, a full disk, a permission problem), the
 * daemon logs why, serves /healthz (ok), /readyz (503) and /metrics
 * (heapwatch_store_healthy 0) on its usual address, and retries until the
 * database opens. A supervisor restarting it would change nothing.
 */
import Fastify from 'fastify';
import { HeapwatchError } from '../errors.js';
import type { Logger } from '../log.js';
import { openDatabase, type Db } from './db.js';

export interface OpenRetryOptions {
  path: string;
  log: Logger;
  /** What /metrics serves meanwhile (heapwatch_store_healthy is 0 in it). */
  metrics: { readonly contentType: string; exposition(): Promise<string> };
  onUnhealthy: () => void;
  /** Where to serve the degraded endpoints meanwhile. */
  host: string;
  port: number;
  retryMs: number;
  signal?: AbortSignal;
}

export async function openDatabaseWithRetry(o: OpenRetryOptions): Promise<Db> {
  try {
    return openDatabase(o.path);
  } catch (err) {
    if (!(err instanceof HeapwatchError) || err.code !== 'HW_ERR_STORE_OPEN') throw err;
    o.onUnhealthy();
    o.log.error({ code: err.code, err: { message: err.message } }, `database unavailable; serving health endpoints and retrying every ${o.retryMs} ms`);
  }
  const app = Fastify();
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => reply.code(503).send({ status: 'not ready', reason: 'database unavailable' }));
  app.get('/metrics', async (_req, reply) => reply.type(o.metrics.contentType).send(await o.metrics.exposition()));
  await app.listen({ host: o.host, port: o.port });
  try {
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
  } finally {
    await app.close();
  }
}
