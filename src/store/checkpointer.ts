/**
 * WAL checkpoints, mostly off the event loop.
 *
 * SQLite checkpoints a WAL database from inside the COMMIT that takes the
 * WAL past `wal_autocheckpoint` pages (1,000 by default): it copies every
 * page written since the last checkpoint into the database file and fsyncs,
 * on the thread that committed. better-sqlite3 is synchronous, so with a
 * fleet's steady writes that was a 25-70 ms stall of the event loop about
 * every second (measured: 14 of 12,000 scrape transactions over 25 ms).
 *
 * Here a worker thread with its own connection runs a PASSIVE checkpoint
 * every interval: it copies pages without waiting for, or blocking, the
 * writer. That alone cannot bound the WAL: SQLite rewinds the WAL only when
 * a checkpoint has copied every frame, and under steady writes a concurrent
 * checkpoint always finishes a few frames behind (measured: the WAL grew by
 * 60 KiB per scrape). So the daemon's connection keeps a backstop
 * automatic checkpoint at a higher threshold; when it fires, the thread has
 * already copied nearly everything, so the commit only copies the last
 * moments of writes, syncs, and lets the next write rewind the WAL. If the
 * thread fails, the default threshold comes back.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { CheckpointReport, CheckpointWorkerData } from './checkpoint-worker.js';
import type { Db } from './db.js';

/** SQLite's default: checkpoint in COMMIT once the WAL has this many pages. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/** The backstop: 40 MB of 4 KiB pages, ten times rarer than SQLite's default. */
const BACKSTOP_AUTOCHECKPOINT_PAGES = 10_000;
/** After a checkpoint lets the WAL restart, truncate the file back to this size. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** How the checkpointer reaches the database and reports. */
export interface CheckpointerOptions {
  db: Db;
  path: string;
  intervalMs: number;
  log: Logger;
  onReport?: (r: CheckpointReport) => void;
  /** Pages at which a commit checkpoints (the backstop); tests lower it. */
  backstopPages?: number;
}

/** Runs the checkpoint worker and the backstop on the daemon connection (see above). */
export class Checkpointer {
  readonly #o: CheckpointerOptions;
  readonly #worker: Worker;
  #stopped = false;
  #exited: Promise<void>;

  constructor(o: CheckpointerOptions) {
    this.#o = o;
    o.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    o.db.pragma(`wal_autocheckpoint = ${o.backstopPages ?? BACKSTOP_AUTOCHECKPOINT_PAGES}`);
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
    if (this.#o.db.open) this.#o.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  }
}
