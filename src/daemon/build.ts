/**
 * Builds the daemon's components, in start order: the API (first, so the one
 * HTTP server answers /healthz and /metrics while the database opens), then,
 * once the database is open, store, pipeline, scrape source, target sync and
 * retention. main.ts starts them in this order and stops them in reverse.
 * This is the only place that names both a source (scrape/) and the
 * pipeline: a new source is built here and handed `pipeline` as its
 * ProfileSink.
 */
import type { FastifyInstance } from 'fastify';
import { findingRoutes } from '../api/findings.js';
import { ApiServer } from '../api/lifecycle.js';
import { buildServer } from '../api/server.js';
import { apiAuth, splitHostPort } from '../config/environment.js';
import type { Config } from '../config/schema.js';
import { HeapwatchMetrics } from './metrics.js';
import { SkipWarning } from '../export/skip-warning.js';
import type { Logger } from '../log.js';
import { createDecoderPool } from '../pipeline/decoder-pool.js';
import { Pipeline, type PipelineDeps } from '../pipeline/pipeline.js';
import { RetentionJob } from '../pipeline/retention.js';
import type { Component } from '../pipeline/source.js';
import { TargetSync } from '../pipeline/target-sync.js';
import type { ArrivalOutcome } from '../pipeline/source.js';
import { PushSource } from '../push/component.js';
import { PUSH_PATHS } from '../push/routes.js';
import { ScrapeManager } from '../scrape/manager.js';
import { HttpScraper } from '../scrape/scraper.js';
import type { Db } from '../store/db.js';
import { CarryStore } from '../store/carry.js';
import { FindingStore } from '../store/findings.js';
import type { StoreHealth } from '../store/metrics.js';
import { StoreLifecycle } from '../store/lifecycle.js';
import { openDatabaseWithRetry } from '../store/open-with-retry.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import { webPlugins } from '../web/plugins.js';
import { findingLookupUrl } from '../web/links.js';
import { GoroutineWriter } from '../store/goroutine-writer.js';
import { readGoroutineSeries } from '../store/goroutine-reader.js';

/** What the components are built from (the database is opened by openAndBuild). */
export interface BuildOptions {
  config: Config;
  metrics: HeapwatchMetrics;
  storeHealth: StoreHealth;
  log: Logger;
  hooks: Pick<PipelineDeps, 'onIngested' | 'onFinding'>;
  /** The push source (built with the API, started after the pipeline). */
  push: PushSource;
}

/** What is built once the database is open. */
export interface Built {
  /** In start order (after the API). */
  components: Component[];
  db: Db;
  reader: StoreReader;
  findings: FindingStore;
  pipeline: Pipeline;
  manager: ScrapeManager;
}

/** What the API is built from, before the database opens. */
export interface ApiOptions {
  config: Config;
  metrics: HeapwatchMetrics;
  storeHealth: StoreHealth;
  log: Logger;
  /** The rest of the daemon, undefined until the database is open. */
  built: () => Built | undefined;
}

/** What listens before the database opens: the one HTTP server, and the push source whose receivers it serves. */
export interface Front {
  api: ApiServer;
  push: PushSource;
}

const NOT_READY: ArrivalOutcome = { ok: false, error: { code: 'HW_ERR_PUSH_NOT_READY', message: 'push receivers are not ready: the database is not open' } };

/**
 * The push source (pyroscope-go, Alloy; off unless push.enabled), built with
 * the API so its receivers are routes of the one HTTP server: until the
 * database is open (and after it closed) they answer 503 HW_ERR_PUSH_NOT_READY.
 */
function buildPush({ config, metrics, log, built }: Omit<ApiOptions, 'storeHealth'>): PushSource {
  const open = (): Built | undefined => {
    const b = built();
    return b?.db.open ? b : undefined;
  };
  return new PushSource({
    config,
    sink: {
      accept: async (arrival) => (await open()?.pipeline.accept(arrival)) ?? NOT_READY,
      reject: (origin, kind, startedAt, durationMs, error) => open()?.pipeline.reject(origin, kind, startedAt, durationMs, error) ?? NOT_READY,
    },
    ready: () => open() !== undefined,
    registry: metrics.registry,
    log: log.child({ component: 'push' }),
    scraped: () => built()?.manager.targets() ?? [],
    hooks: {
      onAdded: (o) => built()?.pipeline.register(o),
      onDown: (o) => metrics.scrape.targetUp.set({ target: o.key, service: o.labels.service ?? '', instance: o.labels.instance ?? '' }, 0),
      onRemoved: (o) => built()?.pipeline.forget(o.key),
    },
  });
}

/**
 * The API, built before the database opens: until then (and after the store
 * closed) it is in its not-ready mode. The push receivers are its routes
 * unless push.listen gives them their own server.
 */
export function buildApi({ config, metrics, storeHealth, log, built }: ApiOptions): Front {
  const push = buildPush({ config, metrics, log, built });
  // Read before anything starts: a missing token file is a config error, not a half-started daemon.
  const auth = apiAuth(config);
  const open = (): Built | undefined => {
    const b = built();
    return b?.db.open ? b : undefined;
  };
  const [host, port] = splitHostPort(config.api.listen);
  // Finding series link to the finding page where users reach the UI (read at start, like api.listen).
  const externalUrl = config.api.external_url;
  metrics.export.findingUrl = externalUrl ? (key, f) => findingLookupUrl(externalUrl, key, f.classId, f.function) : undefined;
  const app = buildServer({
    reader: () => open()?.reader,
    targets: () => [...(built()?.manager.status() ?? []), ...push.status()],
    staleness: (key) => built()?.pipeline.detector.staleness(key),
    metrics,
    auth,
    // Not ready while the database cannot be written (disk full, read-only) or is not open:
    // the process stays up and keeps retrying, it does not crash-loop.
    ready: () => open() !== undefined && storeHealth.healthy,
    notReadyReason: () => storeHealth.reason ?? (open() ? undefined : 'database not open'),
    logger: log.child({ component: 'api' }),
    plugins: [
      findingRoutes(() => open()?.findings, () => open()?.reader),
      ...webPlugins({ store: open, config: () => config }),
      ...(push.enabled && !push.ownListener ? [(a: FastifyInstance) => void a.register(push.plugin())] : []),
    ],
    selfAuthenticated: PUSH_PATHS,
  });
  return { api: new ApiServer(app, config.api.listen, host, port), push };
}

/** Opens the database (retrying until it opens; store health says why meanwhile), then builds the rest on it. */
export async function openAndBuild(o: BuildOptions): Promise<Built> {
  const retryMs = o.config.storage.open_retry_interval;
  const db = await openDatabaseWithRetry({ path: o.config.storage.path, log: o.log.child({ component: 'store' }), onUnavailable: (r) => o.storeHealth.unavailable(r), retryMs });
  o.storeHealth.writeSucceeded();
  try {
    return buildComponents(db, o);
  } catch (err) {
    db.close();
    throw err;
  }
}

function buildComponents(db: Db, { config, metrics, storeHealth, log, hooks, push }: BuildOptions): Built {
  const store = new StoreLifecycle({
    db,
    config,
    log: log.child({ component: 'store' }),
    onCheckpoint: (r) => metrics.store.observeCheckpoint(r),
  });
  const reader = new StoreReader(db);
  const findings = new FindingStore(db);
  const pipeline = new Pipeline({
    config,
    decoder: createDecoderPool({ budgetBytes: config.global.max_decoding_bytes }),
    writer: new StoreWriter(db, { keyframeEvery: config.storage.keyframe_every, keepLatestProfiles: config.storage.keep_latest_profiles }),
    goroutineWriter: new GoroutineWriter(db, { keyframeEvery: config.storage.keyframe_every }),
    goroutineHistory: (key, kind, since) => readGoroutineSeries(db, key, kind, since),
    reader,
    findings,
    carry: new CarryStore(db),
    metrics,
    storeHealth,
    log,
    ...hooks,
  });
  // Mutable holder: a reload changes the limit in place for every later fetch.
  const fetchLimits = { maxBodyBytes: config.global.max_body_bytes };
  const manager: ScrapeManager = new ScrapeManager({
    scraper: new HttpScraper(fetchLimits),
    fetchLimits,
    sink: pipeline,
    maxConcurrentScrapes: config.global.max_concurrent_scrapes,
    log: log.child({ component: 'scrape' }),
    onSkip: (t) => {
      metrics.scrape.skipped.inc({ target: t.key, service: t.labels.service ?? '' });
      skipWarning.note(t);
    },
    // Removed targets: the manager calls pipeline.forget (ProfileSink) itself.
    onTargetsChanged: (added) => {
      for (const t of added) pipeline.register(t);
    },
  });
  const skipWarning = new SkipWarning(log.child({ component: 'scrape' }), () => manager.load());
  const targetSync = new TargetSync({ config, source: manager, alsoOwned: () => push.origins(), findings, reader, metrics: metrics.pipeline, log: log.child({ component: 'discovery' }) });
  const retention = new RetentionJob(db, config, log.child({ component: 'retention' }));
  // Discovery starts after scraping (its first sync creates the loops) and stops before it.
  // Push starts last (after the pipeline it feeds) and stops first.
  return { components: [store, pipeline, manager, targetSync, retention, push], db, reader, findings, pipeline, manager };
}
