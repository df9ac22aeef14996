/**
 * The store as a daemon component (start / applyConfig / stop): the
 * checkpoint thread starts before anything writes, so from then on
 * checkpoints run on its thread and commits checkpoint only as a backstop;
 * at stop its last checkpoint runs while the database is still open, then
 * the database closes. It matches the pipeline's Component interface by
 * shape: store/ imports nothing above it.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { CheckpointReport } from './checkpoint-worker.js';
import { Checkpointer } from './checkpointer.js';
import type { Db } from './db.js';

export interface StoreLifecycleOptions {
  db: Db;
  config: Config;
  log: Logger;
  onCheckpoint?: (report: CheckpointReport) => void;
}

export class StoreLifecycle {
  readonly name = 'store';
  readonly #o: StoreLifecycleOptions;
  #checkpointer: Checkpointer | undefined;

  constructor(o: StoreLifecycleOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    const { db, config, log, onCheckpoint } = this.#o;
    if (config.storage.path === ':memory:') return;
    this.#checkpointer = new Checkpointer({ db, path: config.storage.path, intervalMs: config.storage.checkpoint_interval, log, onReport: onCheckpoint });
  }

  applyConfig(): void {
    // storage.* takes effect only after a restart (main.ts says so on reload).
  }

  async stop(): Promise<void> {
    await this.#checkpointer?.stop();
    this.#checkpointer = undefined;
    this.#o.db.close();
  }
}
