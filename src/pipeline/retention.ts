/**
 * The retention job: on its interval, prunes data older than
 * storage.retention_days and downsamples data older than
 * storage.downsample_after. One run at a time; a failure is logged and the
 * next interval tries again.
 */
import type { Config } from '../config/schema.js';
import { fromErrorRecord, toErrorRecord } from '../errors.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { downsample } from '../store/downsample.js';
import { pruneOlderThan } from '../store/retention.js';
import type { Component } from './source.js';

export class RetentionJob implements Component {
  readonly name = 'retention';
  readonly #db: Db;
  readonly #log: Logger;
  #config: Config;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(db: Db, config: Config, log: Logger) {
    this.#db = db;
    this.#config = config;
    this.#log = log;
  }

  async start(): Promise<void> {
    this.#schedule();
  }

  applyConfig(config: Config): void {
    this.#config = config;
    this.#schedule();
  }

  /** Stops the timer and waits for a run in progress (it writes to the database). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One run now (also what the timer does); resolves when it is done. */
  run(): Promise<void> {
    this.#running ??= this.#runOnce().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  #schedule(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.run(), this.#config.storage.retention_interval);
    this.#timer.unref();
  }

  async #runOnce(): Promise<void> {
    const { storage } = this.#config;
    try {
      const now = Date.now();
      const r = await pruneOlderThan(this.#db, now - storage.retention_days * 86_400_000);
      if (r.scrapesDeleted > 0) this.#log.info(r, 'retention pruned old data');
      const d = await downsample(this.#db, now - storage.downsample_after, storage.downsample_step);
      if (d.scrapesDropped > 0) this.#log.info(d, 'downsampled old data');
    } catch (err) {
      this.#log.warn({ err: fromErrorRecord(toErrorRecord(err, 'HW_ERR_STORE_WRITE')) }, 'retention failed');
    }
  }
}
