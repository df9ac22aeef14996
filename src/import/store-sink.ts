/**
 * The one adapter between `heapwatch import` and the daemon's store path:
 * decode, store, and detect exactly as the daemon does for a scraped
 * profile (today's Ingest + DetectorRunner). When the shared pipeline lands
 * this file alone switches to its ProfileSink; the importer does not change.
 */
import { Registry } from 'prom-client';
import { detectParamsFrom } from '../detect/params.js';
import type { Config } from '../config/schema.js';
import type { ErrorRecord } from '../errors.js';
import { HeapwatchMetrics } from '../export/metrics.js';
import { DetectorRunner } from '../ingest/detector.js';
import { Ingest } from '../ingest/ingest.js';
import type { Logger } from '../log.js';
import { decodeHeapProfileFast } from '../pprof/fast-decode.js';
import type { ProfileDecoder } from '../pprof/decoder-pool.js';
import type { Db } from '../store/db.js';
import { FindingStore } from '../store/findings.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import type { ProfileCountLimits } from '../targets/target.js';

/** Who imported profiles belong to (mirrors the pipeline's ProfileOrigin). */
export interface ImportOrigin {
  /** 'import:' + name */
  key: string;
  url: string;
  labels: Readonly<Record<string, string>>;
  source: 'import';
  intervalMs: number;
  limits: ProfileCountLimits;
}

export type ImportOutcome = { ok: true; stale?: boolean } | { ok: false; error: ErrorRecord };

export interface ImportSink {
  /** Stores one profile as scraped at `startedAt` and queues its detection. */
  accept(origin: ImportOrigin, startedAt: number, body: Uint8Array): Promise<ImportOutcome>;
  /** Resolves when detection has judged everything accepted so far. */
  idle(): Promise<void>;
  /** Findings opened since the sink was created. */
  readonly findingsOpened: number;
  readonly reader: StoreReader;
}

/**
 * Decodes in this thread: an import is one process feeding one series in
 * order, so a worker pool would add start-up time and nothing else.
 */
const inThreadDecoder: ProfileDecoder = {
  decode: async (bytes, limits) => decodeHeapProfileFast(bytes, limits),
  setBudget: () => undefined,
  close: async () => undefined,
};

export function createImportSink(db: Db, config: Config, log: Logger): ImportSink {
  const reader = new StoreReader(db);
  const writer = new StoreWriter(db, { keyframeEvery: config.storage.keyframe_every, keepLatestProfiles: config.storage.keep_latest_profiles });
  const metrics = new HeapwatchMetrics(new Registry());
  let opened = 0;
  const detector = new DetectorRunner({
    findings: new FindingStore(db),
    reader,
    params: detectParamsFrom(config.detect),
    log: log.child({ component: 'detect' }),
    onEvent: (_key, e) => {
      if (e.type === 'opened') opened++;
    },
  });
  const ingest = new Ingest({
    decoder: inThreadDecoder,
    writer,
    metrics,
    log: log.child({ component: 'ingest' }),
    limits: { maxDecompressedBytes: config.global.max_decompressed_bytes },
    onIngested: (i) => detector.enqueue(i),
  });
  return {
    reader,
    get findingsOpened() {
      return opened;
    },
    accept: async (origin, startedAt, body) => {
      // Today's Ingest wants a scrape Target; an import has no URL to fetch.
      const target = {
        key: origin.key,
        url: origin.url,
        fetchUrl: origin.url,
        labels: origin.labels,
        intervalMs: origin.intervalMs,
        timeoutMs: origin.intervalMs,
        headers: {},
        secretHeaders: [],
        auth: { kind: 'none' as const },
        tls: { insecureSkipVerify: false },
        followRedirects: false,
        limits: origin.limits,
        source: origin.source,
      };
      metrics.registerTarget(target);
      writer.registerTarget(target, startedAt);
      return ingest.append(target, { ok: true, startedAt, durationMs: 0, body });
    },
    idle: () => detector.idle(),
  };
}
