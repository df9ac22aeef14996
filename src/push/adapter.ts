/**
 * The one place pushed profiles enter the ingest path. Today that is
 * `Ingest.append(target, scrapeResult)`, the scrape sink; once the pipeline's
 * ProfileSink lands, this file alone changes to `sink.accept(arrival)` /
 * `sink.reject(...)`.
 */
import type { ScrapeSink } from '../scrape/sink.js';
import type { PushSink } from './receiver.js';

export function ingestSink(ingest: ScrapeSink): PushSink {
  return {
    // Only heap profiles reach here (kinds.ts); the ingest path takes heap only.
    accept: (target, _kind, startedAt, durationMs, body) => ingest.append(target, { ok: true, startedAt, durationMs, body }),
    reject: (target, _kind, startedAt, durationMs, error) => ingest.append(target, { ok: false, startedAt, durationMs, error }),
  };
}
