/**
 * Wiring only: load config, build components, start them in order, stop them
 * in reverse. Every long-lived component has start / applyConfig / stop.
 */
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { findingRoutes } from './api/findings.js';
import { buildServer } from './api/server.js';
import { webPlugins } from './web/plugins.js';
import { findingLookupUrl } from './web/links.js';
import { detectParamsFrom } from './detect/params.js';
import type { FindingEvent } from './detect/findings.js';
import { DetectorRunner } from './ingest/detector.js';
import { FindingStore } from './store/findings.js';
import { loadConfigFile } from './config/load.js';
import type { Config } from './config/schema.js';
import { fromErrorRecord, HeapwatchError, toErrorRecord } from './errors.js';
import { FunctionExport } from './export/function-export.js';
import { SkipWarning } from './export/skip-warning.js';
import { HeapwatchMetrics } from './export/metrics.js';
import { Ingest, type IngestedProfile } from './ingest/ingest.js';
import { createLogger, type Logger } from './log.js';
import { createDecoderPool, type ProfileDecoder } from './pprof/decoder-pool.js';
import { ScrapeManager } from './scrape/manager.js';
import { HttpScraper } from './scrape/scraper.js';
import type { Db } from './store/db.js';
import { Checkpointer } from './store/checkpointer.js';
import { openDatabaseWithRetry } from './store/open-with-retry.js';
import { StoreReader } from './store/reader.js';
import { downsample } from './store/downsample.js';
import { pruneOlderThan } from './store/retention.js';
import { StoreWriter } from './store/writer.js';
import { TargetDiscovery } from './targets/discovery.js';
import { RepeatFilter } from './targets/repeat-filter.js';
import type { Target } from './targets/target.js';

export interface DaemonOptions {
  /** Overrides config.log.level (e.g. tests pass 'silent'). */
  logLevel?: string;
  logDestination?: NodeJS.WritableStream;
  /** Shard from the environment (HEAPWATCH_SHARD_INDEX / _COUNT) wins over the file. */
  env?: NodeJS.ProcessEnv;
  /** Hook for tests after each stored profile. */
  onIngested?: (ingested: IngestedProfile) => void;
  /** Hook for tests after each stored finding event. */
  onFinding?: (targetKey: string, event: FindingEvent) => void;
}

export interface Daemon {
  readonly config: Config;
  readonly address: string;
  readonly db: Db;
  readonly reader: StoreReader;
  readonly manager: ScrapeManager;
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
  let config = withEnvironment(loadConfigFile(configPath), options.env ?? process.env);
  // Read before anything starts: a missing token file is a config error, not a half-started daemon.
  const auth = apiAuth(config);
  const log = createLogger(options.logLevel ?? config.log.level, options.logDestination);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heapwatch_' });
  const metrics = new HeapwatchMetrics(registry);
  metrics.findingUrl = (key, f) => (config.api.external_url ? findingLookupUrl(config.api.external_url, key, f.class, f.function) : undefined);
  const [host, port] = splitHostPort(config.api.listen);

  const db = await openDatabaseWithRetry({
    path: config.storage.path,
    log: log.child({ component: 'store' }),
    metrics,
    onUnhealthy: () => metrics.storeHealthy.set(0),
    host,
    port,
    retryMs: config.storage.open_retry_interval,
  });
  metrics.storeHealthy.set(1);
  // Started before anything writes: from here on checkpoints run on its thread, and commits only as a backstop.
  const checkpointer = config.storage.path === ':memory:' ? undefined : new Checkpointer({
    db,
    path: config.storage.path,
    intervalMs: config.storage.checkpoint_interval,
    log: log.child({ component: 'store' }),
    onReport: (r) => {
      metrics.checkpoints.inc({ result: !r.ok ? 'error' : r.busy ? 'busy' : 'ok' });
      if (r.ok) metrics.walFrames.set(r.walFrames);
    },
  });
  const reader = new StoreReader(db);
  const writer = new StoreWriter(db, { keyframeEvery: config.storage.keyframe_every, keepLatestProfiles: config.storage.keep_latest_profiles });

  const decoder: ProfileDecoder = createDecoderPool({ budgetBytes: config.global.max_decoding_bytes });
  // Mutable holders: a reload changes the limits in place for every later scrape.
  const decodeLimits = { maxDecompressedBytes: config.global.max_decompressed_bytes };
  const fetchLimits = { maxBodyBytes: config.global.max_body_bytes };
  const findings = new FindingStore(db);
  const detector = new DetectorRunner({
    findings,
    reader,
    params: detectParamsFrom(config.detect),
    log: log.child({ component: 'detect' }),
    onEvent: (key, e) => {
      metrics.observeFinding(key, e);
      // A finding's function must show in the per-function series at the next scrape.
      if (e.type !== 'updated') functionExport.invalidate(key);
      options.onFinding?.(key, e);
    },
  });
  const ingest = new Ingest({
    decoder,
    writer,
    metrics,
    log: log.child({ component: 'ingest' }),
    limits: decodeLimits,
    onIngested: (i) => {
      detector.enqueue(i);
      if (i.stored.transition !== 'stale') exportFunctions(i);
      options.onIngested?.(i);
    },
  });
  const functionExport = new FunctionExport({
    reader,
    metrics,
    topFunctions: () => config.export.top_functions,
    keep: (key) => new Set(detector.open(key).flatMap((f) => [f.function, f.stack[0] ?? ''])),
  });
  const exportFunctions = (i: IngestedProfile): void =>
    functionExport.onScrape({ target: i.target, targetId: i.stored.targetId, transition: i.stored.transition, modules: i.profile.modules });
  const scraper = new HttpScraper(fetchLimits);
  /**
   * The one place that forgets a target that went away: every component that
   * keeps per-target state in memory is listed here, so a fleet that churns
   * through discovery does not grow the daemon (test/lifecycle.test.ts).
   */
  const forgetAfterDetection = new Set<string>();
  const forgetTarget = (t: Target): void => {
    writer.forget(t.key);
    detector.forget(t.key);
    // Its last profiles may still wait in the detection queue and would open
    // a new session after this; forget it again once they are through (unless it came back).
    if (forgetAfterDetection.size === 0) {
      void detector.idle().then(() => {
        for (const key of forgetAfterDetection) if (!manager.has(key)) detector.forget(key);
        forgetAfterDetection.clear();
      });
    }
    forgetAfterDetection.add(t.key);
    ingest.forget(t.key);
    metrics.removeTarget(t);
    functionExport.forget(t.key);
  };
  const manager = new ScrapeManager({
    scraper,
    sink: ingest,
    maxConcurrentScrapes: config.global.max_concurrent_scrapes,
    log: log.child({ component: 'scrape' }),
    onSkip: (t) => {
      metrics.skipped.inc({ target: t.key, service: t.labels.service ?? '' });
      skipWarning.note(t);
    },
    onTargetsChanged: (added, removed) => {
      for (const t of added) {
        writer.registerTarget(t);
        metrics.registerTarget(t);
      }
      for (const t of removed) forgetTarget(t);
    },
  });

  const skipWarning = new SkipWarning(log.child({ component: 'scrape' }), () => manager.load());
  const discoveryLog = log.child({ component: 'discovery' });
  // Like scrape errors: a source's failure is logged at warn once, then at debug until it changes.
  const sdErrorLog = new RepeatFilter();
  let discovery: TargetDiscovery | undefined;
  const syncTargets = async (): Promise<void> => {
    const owned = discovery?.targets() ?? [];
    metrics.targets.set(owned.length);
    await manager.sync(owned);
    // Findings of targets this replica no longer scrapes (removed from the
    // config, or moved to another shard while it was down) would otherwise
    // stay open in its database for good.
    const ownedIds = owned.map((t) => reader.targetByKey(t.key)?.id).filter((id): id is number => id !== undefined);
    const resolved = findings.resolveOpenExcept(ownedIds, Date.now(), 'target no longer scraped by this replica');
    if (resolved > 0) discoveryLog.info({ resolved }, 'resolved findings of targets no longer scraped');
  };
  const startDiscovery = async (): Promise<void> => {
    discovery = new TargetDiscovery(config, {
      onChange: () => {
        syncTargets().catch((err: unknown) => discoveryLog.error({ err }, 'target sync failed'));
      },
      onError: (source, err, origin) => {
        metrics.sdErrors.inc({ source });
        const level = sdErrorLog.levelFor(`${source}:${origin}`, err.message);
        discoveryLog[level]({ source, origin, code: err.code, err }, 'service discovery source rejected; keeping its previous targets');
      },
      onRecovered: (source, origin) => sdErrorLog.clear(`${source}:${origin}`),
    });
    await discovery.start();
  };

  await startDiscovery();
  await syncTargets();
  manager.start();

  const retentionLog = log.child({ component: 'retention' });
  let retentionRunning = false;
  const runRetention = async (): Promise<void> => {
    if (retentionRunning) return;
    retentionRunning = true;
    try {
      const now = Date.now();
      const r = await pruneOlderThan(db, now - config.storage.retention_days * 86_400_000);
      if (r.scrapesDeleted > 0) retentionLog.info(r, 'retention pruned old data');
      const d = await downsample(db, now - config.storage.downsample_after, config.storage.downsample_step);
      if (d.scrapesDropped > 0) retentionLog.info(d, 'downsampled old data');
    } catch (err) {
      retentionLog.warn({ err: fromErrorRecord(toErrorRecord(err, 'HW_ERR_STORE_WRITE')) }, 'retention failed');
    } finally {
      retentionRunning = false;
    }
  };
  let retentionTimer = setInterval(() => void runRetention(), config.storage.retention_interval);
  retentionTimer.unref();

  const app = buildServer({
    reader,
    targets: () => manager.status(),
    staleness: (key) => detector.staleness(key),
    metrics,
    auth,
    // Not ready while the database cannot be written (disk full, read-only):
    // the process stays up and keeps retrying, it does not crash-loop.
    ready: () => db.open && ingest.storeHealthy,
    logger: log.child({ component: 'api' }),
    plugins: [findingRoutes(findings, reader), ...webPlugins({ db, reader, config: () => config })],
  });
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (err) {
    // Port taken, or an address this host does not have: stop what started, then say why.
    await Promise.allSettled([discovery?.stop(), manager.stop(), scraper.close(), decoder.close(), checkpointer?.stop()]);
    clearInterval(retentionTimer);
    db.close();
    const code = (err as NodeJS.ErrnoException).code;
    throw new HeapwatchError('HW_ERR_API_LISTEN', `${config.api.listen}: ${code === 'EADDRINUSE' ? 'address already in use' : (err as Error).message}`, { cause: err });
  }
  log.info({ address, targets: manager.status().length, config: configPath }, 'heapwatch started');

  const reload = async (): Promise<HeapwatchError | undefined> => {
    let next: Config;
    try {
      next = withEnvironment(loadConfigFile(configPath), options.env ?? process.env);
    } catch (err) {
      metrics.configReloads.inc({ result: 'failure' });
      const e = err instanceof HeapwatchError ? err : new HeapwatchError('HW_ERR_CONFIG_INVALID', String(err));
      log.error({ code: e.code, err: e }, 'config reload failed; keeping the running config');
      return e;
    }
    if (next.storage.path !== config.storage.path || next.api.listen !== config.api.listen) {
      log.warn('storage.path and api.listen take effect only after a restart');
    }
    config = next;
    decodeLimits.maxDecompressedBytes = config.global.max_decompressed_bytes;
    decoder.setBudget(config.global.max_decoding_bytes);
    fetchLimits.maxBodyBytes = config.global.max_body_bytes;
    manager.setConcurrency(config.global.max_concurrent_scrapes);
    detector.applyParams(detectParamsFrom(config.detect));
    clearInterval(retentionTimer);
    retentionTimer = setInterval(() => void runRetention(), config.storage.retention_interval);
    retentionTimer.unref();
    await discovery?.stop();
    await startDiscovery();
    await syncTargets();
    metrics.configReloads.inc({ result: 'success' });
    log.info({ targets: manager.status().length }, 'config reloaded');
    return undefined;
  };

  const stop = async (): Promise<void> => {
    // Reverse order of start. Scraping stops before the store closes, so no
    // write hits a closed database; the API goes first so no query does.
    await app.close();
    clearInterval(retentionTimer);
    await discovery?.stop();
    await manager.stop();
    await detector.idle();
    await scraper.close();
    await decoder.close();
    // Its last checkpoint runs while the database is still open.
    await checkpointer?.stop();
    db.close();
    log.info('heapwatch stopped');
  };

  return {
    get config() {
      return config;
    },
    address,
    db,
    reader,
    manager,
    detector,
    findings,
    metrics,
    app,
    log,
    reload,
    stop,
  };
}

function apiAuth(config: Config): { token: string; metricsOpen: boolean; healthOpen: boolean } | undefined {
  const token = config.api.auth_token ?? (config.api.auth_token_file ? readTokenFile(config.api.auth_token_file) : undefined);
  return token ? { token, metricsOpen: config.api.metrics_open, healthOpen: config.api.health_open } : undefined;
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new HeapwatchError('HW_ERR_CONFIG_READ', `api.auth_token_file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** HEAPWATCH_SHARD_INDEX / HEAPWATCH_SHARD_COUNT (e.g. from a StatefulSet ordinal) override the file. */
export function withEnvironment(config: Config, env: NodeJS.ProcessEnv): Config {
  const index = env.HEAPWATCH_SHARD_INDEX;
  const count = env.HEAPWATCH_SHARD_COUNT;
  if (index === undefined && count === undefined) return config;
  // Plain decimal digits only: Number('') is 0, and an empty variable (a
  // failed ${HOSTNAME##*-}) must not silently put every replica on shard 0.
  const parse = (v: string | undefined, fallback: number): number => (v === undefined ? fallback : /^\d+$/.test(v) ? Number(v) : NaN);
  const shard = { index: parse(index, config.shard.index), count: parse(count, config.shard.count) };
  if (!Number.isInteger(shard.index) || !Number.isInteger(shard.count) || shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    throw new HeapwatchError('HW_ERR_CONFIG_INVALID', `HEAPWATCH_SHARD_INDEX=${index} / HEAPWATCH_SHARD_COUNT=${count}: expected 0 <= index < count`);
  }
  return Object.freeze({ ...config, shard: Object.freeze(shard) });
}

export function splitHostPort(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  return [listen.slice(0, i).replace(/^\[|\]$/g, ''), Number(listen.slice(i + 1))];
}
