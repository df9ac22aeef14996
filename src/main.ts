/**
 * Wiring only: load the config, list the components (src/daemon/build.ts),
 * start them in order, stop them in reverse, reload via applyConfig on each.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { withEnvironment } from './config/environment.js';
import { loadConfigFile } from './config/load.js';
import type { Config } from './config/schema.js';
import { buildApi, openAndBuild, type Built, type Front } from './daemon/build.js';
import { HeapwatchError } from './errors.js';
import { HeapwatchMetrics } from './daemon/metrics.js';
import { createLogger, type Logger } from './log.js';
import type { DetectorRunner } from './pipeline/detector.js';
import type { PipelineDeps } from './pipeline/pipeline.js';
import type { Component } from './pipeline/source.js';
import type { ScrapeManager } from './scrape/manager.js';
import type { Db } from './store/db.js';
import type { FindingStore } from './store/findings.js';
import { StoreHealth } from './store/metrics.js';
import type { StoreReader } from './store/reader.js';

export interface DaemonOptions extends Pick<PipelineDeps, 'onIngested' | 'onFinding'> {
  /** Overrides config.log.level (e.g. tests pass 'silent'). */
  logLevel?: string;
  logDestination?: NodeJS.WritableStream;
  /** Shard from the environment (HEAPWATCH_SHARD_INDEX / _COUNT) wins over the file. */
  env?: NodeJS.ProcessEnv;
}

export interface Daemon {
  readonly config: Config;
  readonly address: string;
  readonly db: Db;
  readonly reader: StoreReader;
  readonly manager: ScrapeManager;
  readonly push: Front['push'];
  readonly detector: DetectorRunner;
  readonly findings: FindingStore;
  readonly metrics: HeapwatchMetrics;
  readonly app: FastifyInstance;
  readonly log: Logger;
  /** Re-reads the config file; on error keeps the running config and returns the error. */
  reload(): Promise<HeapwatchError | undefined>;
  stop(): Promise<void>;
}

export async function startDaemon(configPath: string, options: DaemonOptions = {}): Promise<Daemon> {
  const readConfig = (): Config => withEnvironment(loadConfigFile(configPath), options.env ?? process.env);
  let config = readConfig();
  const log = createLogger(options.logLevel ?? config.log.level, options.logDestination);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heapwatch_' });
  const metrics = new HeapwatchMetrics(registry);
  const storeHealth = new StoreHealth(metrics.store);
  let built: Built | undefined;
  const { api, push } = buildApi({ config, metrics, storeHealth, log, built: () => built });
  // The one HTTP server listens first: while the database retries opening, it is in its not-ready mode.
  await api.start();
  const started: Component[] = [api];
  const stop = async (): Promise<void> => {
    // Reverse order of start: sources before the pipeline, the pipeline before the store; the API
    // last (it answers 503 on /api/ once the store closed).
    for (const c of started.splice(0).reverse()) await c.stop();
    log.info('heapwatch stopped');
  };
  try {
    built = await openAndBuild({ config, metrics, storeHealth, log, hooks: options, push });
    for (const c of built.components) {
      await c.start();
      started.push(c);
    }
  } catch (err) {
    await stop().catch(() => undefined);
    if (built?.db.open) built.db.close();
    throw err;
  }
  const components = started.slice();
  log.info({ address: api.address, targets: built.manager.status().length, config: configPath }, 'heapwatch started');
  const reload = async (): Promise<HeapwatchError | undefined> => {
    let next: Config;
    try {
      next = readConfig();
    } catch (err) {
      metrics.configReloads.inc({ result: 'failure' });
      const e = err instanceof HeapwatchError ? err : new HeapwatchError('HW_ERR_CONFIG_INVALID', String(err));
      log.error({ code: e.code, err: e }, 'config reload failed; keeping the running config');
      return e;
    }
    if (next.storage.path !== config.storage.path || next.api.listen !== config.api.listen) log.warn('storage.path and api.listen take effect only after a restart');
    config = next;
    for (const c of components) await c.applyConfig(config);
    metrics.configReloads.inc({ result: 'success' });
    log.info({ targets: built.manager.status().length }, 'config reloaded');
    return undefined;
  };

  const { db, reader, manager, findings, pipeline } = built;
  return { get config() { return config; }, address: api.address, db, reader, manager, push, detector: pipeline.detector, findings, metrics, app: api.app, log, reload, stop };
}
