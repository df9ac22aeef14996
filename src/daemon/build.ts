/**
 * Builds the daemon's components, in start order: the API (first, so the one
 * HTTP server answers /healthz and /metrics while the database opens), then,
 * once the database is open, store, pipeline, scrape source, target sync and
 * retention. main.ts starts them in this order and stops them in reverse.
 * This is the only place that names both a source (scrape/) and the
 * pipeline: a new source is built here and handed `pipeline` as its
 * ProfileSink.
 */
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
import { ScrapeManager } from '../scrape/manager.js';
import { HttpScraper } from '../scrape/scraper.js';
import type { Db } from '../store/db.js';
import { FindingStore } from '../store/findings.js';
import type { StoreHealth } from '../store/metrics.js';
import { StoreLifecycle } from '../store/lifecycle.js';
import { openDatabaseWithRetry } from '../store/open-with-retry.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import { webPlugins } from '../web/plugins.js';
import { findingLookupUrl } from '../web/links.js';

export interface BuildOptions {
  config: Config;
  metrics: HeapwatchMetrics;
  storeHealth: StoreHealth;
  log: Logger;
  hooks: Pick<PipelineDeps, 'onIngested' | 'onFinding'>;
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

export interface ApiOptions {
  config: Config;
  metrics: HeapwatchMetrics;
  storeHealth: StoreHealth;
  log: Logger;
  /** The rest of the daemon, undefined until the database is open. */
  built: () => Built | undefined;
}

/** The API, built before the database opens: until then (and after the store closed) it is in its not-ready mode. */
export function buildApi({ config, metrics, storeHealth, log, built }: ApiOptions): ApiServer {
  // Read before anything starts: a missing token file is a config error, not a half-started daemon.
  const auth = apiAuth(config);
  const open = (): Built | undefined => {
    const b = built();
    return b?.db.open ? b : undefined;
  };
  const [host, port] = splitHostPort(config.api.listen);
  // Finding series link to the finding page where users reach the UI (read at start, like api.listen).
  const externalUrl = config.api.external_url;
  metrics.export.findingUrl = externalUrl ? (key, f) => findingLookupUrl(externalUrl, key, f.class, f.function) : undefined;
  const app = buildServer({
    reader: () => open()?.reader,
    targets: () => built()?.manager.status() ?? [],
    staleness: (key) => built()?.pipeline.detector.staleness(key),
    metrics,
    auth,
    // Not ready while the database cannot be written (disk full, read-only) or is not open:
    // the process stays up and keeps retrying, it does not crash-loop.
    ready: () => open() !== undefined && storeHealth.healthy,
    notReadyReason: () => storeHealth.reason ?? (open() ? undefined : 'database not open'),
    logger: log.child({ component: 'api' }),
    plugins: [findingRoutes(() => open()?.findings, () => open()?.reader), ...webPlugins({ store: open, config: () => config })],
  });
  return new ApiServer(app, config.api.listen, host, port);
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

function buildComponents(db: Db, { config, metrics, storeHealth, log, hooks }: BuildOptions): Built {
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
    reader,
    findings,
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
    onTargetsChanged: (added, removed) => {
      for (const t of added) pipeline.register(t);
      for (const t of removed) pipeline.forget(t.key);
    },
  });
  const skipWarning = new SkipWarning(log.child({ component: 'scrape' }), () => manager.load());
  const targetSync = new TargetSync({ config, source: manager, findings, reader, metrics: metrics.pipeline, log: log.child({ component: 'discovery' }) });
  const retention = new RetentionJob(db, config, log.child({ component: 'retention' }));
  // Discovery starts after scraping (its first sync creates the loops) and stops before it.
  return { components: [store, pipeline, manager, targetSync, retention], db, reader, findings, pipeline, manager };
}
