/**
 * Builds the daemon's components from a loaded config and an open database,
 * in start order: store, pipeline, scrape source, target sync, retention,
 * API. main.ts starts them in this order and stops them in reverse. This is
 * the only place that names both a source (scrape/) and the pipeline: a new
 * source is built here and handed `pipeline` as its ProfileSink.
 */
import { findingRoutes } from '../api/findings.js';
import { ApiServer } from '../api/lifecycle.js';
import { buildServer } from '../api/server.js';
import { apiAuth, splitHostPort } from '../config/environment.js';
import type { Config } from '../config/schema.js';
import { HeapwatchMetrics } from '../export/metrics.js';
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
import type { StoreHealth } from '../store/health.js';
import { StoreLifecycle } from '../store/lifecycle.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import { GoroutineWriter } from '../store/goroutine-writer.js';
import { readGoroutineSeries } from '../store/goroutine-reader.js';

export interface BuildOptions {
  config: Config;
  db: Db;
  metrics: HeapwatchMetrics;
  storeHealth: StoreHealth;
  log: Logger;
  hooks: Pick<PipelineDeps, 'onIngested' | 'onFinding'>;
}

export interface Built {
  components: Component[];
  reader: StoreReader;
  findings: FindingStore;
  pipeline: Pipeline;
  manager: ScrapeManager;
  api: ApiServer;
}

export function buildComponents({ config, db, metrics, storeHealth, log, hooks }: BuildOptions): Built {
  // Read before anything starts: a missing token file is a config error, not a half-started daemon.
  const auth = apiAuth(config);
  const store = new StoreLifecycle({
    db,
    config,
    log: log.child({ component: 'store' }),
    onCheckpoint: (r) => {
      metrics.checkpoints.inc({ result: !r.ok ? 'error' : r.busy ? 'busy' : 'ok' });
      if (r.ok) metrics.walFrames.set(r.walFrames);
    },
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
      metrics.skipped.inc({ target: t.key, service: t.labels.service ?? '' });
      skipWarning.note(t);
    },
    onTargetsChanged: (added, removed) => {
      for (const t of added) pipeline.register(t);
      for (const t of removed) pipeline.forget(t.key);
    },
  });
  const skipWarning = new SkipWarning(log.child({ component: 'scrape' }), () => manager.load());
  const targetSync = new TargetSync({ config, source: manager, findings, reader, metrics, log: log.child({ component: 'discovery' }) });
  const retention = new RetentionJob(db, config, log.child({ component: 'retention' }));
  const [host, port] = splitHostPort(config.api.listen);
  const app = buildServer({
    reader,
    targets: () => manager.status(),
    staleness: (key) => pipeline.detector.staleness(key),
    metrics,
    auth,
    // Not ready while the database cannot be written (disk full, read-only):
    // the process stays up and keeps retrying, it does not crash-loop.
    ready: () => db.open && storeHealth.healthy,
    logger: log.child({ component: 'api' }),
    plugins: [findingRoutes(findings, reader)],
  });
  const api = new ApiServer(app, config.api.listen, host, port);
  // Discovery starts after scraping (its first sync creates the loops) and stops before it.
  return { components: [store, pipeline, manager, targetSync, retention, api], reader, findings, pipeline, manager, api };
}
