/**
 * The one adapter between `heapwatch import` and the daemon's store path:
 * the daemon's own Pipeline (src/pipeline/), fed as a ProfileSink with
 * origin source 'import', so an imported profile is decoded, limited,
 * stored, exported and judged exactly as a scraped one.
 */
import { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import { HeapwatchMetrics } from '../daemon/metrics.js';
import type { Logger } from '../log.js';
import type { ProfileDecoder } from '../pipeline/decoder-pool.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { ArrivalOutcome, ProfileOrigin } from '../pipeline/source.js';
import { decodeHeapProfileFast } from '../pprof/fast-decode.js';
import type { Db } from '../store/db.js';
import { CarryStore } from '../store/carry.js';
import { FindingStore } from '../store/findings.js';
import { StoreHealth } from '../store/metrics.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';

/** An imported target: key 'import:' + name, source 'import'. */
export type ImportOrigin = ProfileOrigin & { source: 'import' };

export type ImportOutcome = ArrivalOutcome;

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
  // The import's own registry: nothing scrapes it, but the pipeline's stages update metrics as in the daemon.
  const metrics = new HeapwatchMetrics(new Registry());
  let opened = 0;
  const pipeline = new Pipeline({
    config,
    decoder: inThreadDecoder,
    writer: new StoreWriter(db, { keyframeEvery: config.storage.keyframe_every, keepLatestProfiles: config.storage.keep_latest_profiles }),
    reader,
    findings: new FindingStore(db),
    carry: new CarryStore(db),
    metrics,
    storeHealth: new StoreHealth(metrics.store),
    log,
    onFinding: (_key, e) => {
      if (e.type === 'opened') opened++;
    },
  });
  const registered = new Set<string>();
  return {
    reader,
    get findingsOpened() {
      return opened;
    },
    accept: async (origin, startedAt, body) => {
      if (!registered.has(origin.key)) {
        pipeline.register(origin);
        registered.add(origin.key);
      }
      return pipeline.accept({ origin, kind: 'heap', startedAt, durationMs: 0, body });
    },
    idle: () => pipeline.detector.idle(),
  };
}
