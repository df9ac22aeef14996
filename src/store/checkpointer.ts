/**
 * WAL checkpoints off the event loop.
 *
 * SQLite checkpoints a WAL database from inside the COMMIT that pushes the
 * WAL past 1,000 pages: it copies those pages into the database file and
 * fsyncs both, on the thread that committed. better-sqlite3 is synchronous,
 * so with a fleet's steady writes that was a 25-70 ms stall of the event loop
 * every second or so (measured: 14 of 12,000 scrape transactions over 25 ms,
 * none after this change). Here the daemon's connection never checkpoints
 * (wal_autocheckpoint = 0); a worker thread with its own connection runs a
 * PASSIVE checkpoint every interval, which neither waits for nor blocks the
 * writer. If the worker fails, the connection takes automatic checkpoints
 * back, so the WAL can never grow without bound.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { CheckpointReport, CheckpointWorkerData } from './checkpoint-worker.js';
import type { Db } from './db.js';

/** SQLite's default: checkpoint in COMMIT once the WAL has this many pages. */
const AUTOCHECKPOINT_PAGES = 1000;
/** After a checkpoint lets the WAL restart, truncate the file back to this size. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface CheckpointerOptions {
  db: Db;
  path: string;
  intervalMs: number;
  log: Logger;
  onReport?: (r: CheckpointReport) => void;
}

export class Checkpointer {
  readonly #o: CheckpointerOptions;
  readonly #worker: Worker;
  #stopped = false;
  #exited: Promise<void>;

  constructor(o: CheckpointerOptions) {
    this.#o = o;
    o.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    o.db.pragma('wal_autocheckpoint = 0');
    const data: CheckpointWorkerData = { path: o.path, intervalMs: o.intervalMs };
    this.#worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: data });
    this.#worker.unref();
    this.#worker.on('message', (r: CheckpointReport) => {
      if (!r.ok) o.log.warn({ code: 'HW_ERR_STORE_WRITE', err: { message: r.message } }, 'WAL checkpoint failed; retrying next interval');
      o.onReport?.(r);
    });
    this.#worker.on('error', (err) => {
      o.log.error({ err }, 'WAL checkpoint thread failed; checkpointing in commits again');
      this.#fallBack();
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        if (!this.#stopped) this.#fallBack();
        resolve();
      });
    });
  }

  /** Runs a last checkpoint and ends the thread; call before closing the database. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#worker.postMessage({ type: 'stop' });
    const timeout = setTimeout(() => void this.#worker.terminate(), 10_000);
    await this.#exited;
    clearTimeout(timeout);
  }

  #fallBack(): void {
    if (this.#o.db.open) this.#o.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
