/**
 * The pipeline with fakes of its narrow interfaces (decoder, writer, finding
 * sink, metrics, store health): what accept/reject/forget do at each stage,
 * and that forget is right for work in flight: a profile still decoding, or
 * queued for detection, when its origin is forgotten brings nothing back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config/load.js';
import type { ErrorRecord } from '../errors.js';
import { createLogger } from '../log.js';
import { decodeHeapProfile } from '../pprof/decode.js';
import type { HeapProfile } from '../pprof/profile.js';
import type { AppendResult, FailedScrape, SuccessfulScrape } from '../store/writer.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { Pipeline } from './pipeline.js';
import type { ProfileOrigin } from './source.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const PROFILE = decodeHeapProfile(syntheticHeapProfile([{ stack: [['main.keep'], ['main.run']], values: [1, 1e6, 1, 1e6] }], { timeNanos: BigInt(T0) * 1_000_000n }), {
  maxDecompressedBytes: 1 << 24,
});

function origin(name: string): ProfileOrigin {
  return { key: `push:${name}`, url: `push:${name}`, labels: { service: name, instance: name }, source: 'push', intervalMs: 60_000, limits: { maxSamples: 1e6, maxLocations: 1e6, maxFunctions: 1e6 } };
}

/** A decoder whose decodes finish when the test says so. */
class HeldDecoder {
  readonly pending: (() => void)[] = [];
  closed = false;
  decode(): Promise<HeapProfile> {
    return new Promise((resolve) => this.pending.push(() => resolve(PROFILE)));
  }
  release(): void {
    for (const r of this.pending.splice(0)) r();
  }
  setBudget(): void {}
  async close(): Promise<void> {
    this.closed = true;
  }
}

function harness(opts: { failWrites?: boolean } = {}) {
  const decoder = new HeldDecoder();
  const calls = { profiles: [] as string[], failures: [] as ErrorRecord[], forgotten: [] as string[], removed: [] as string[], healthy: [] as boolean[], registered: [] as string[] };
  let scrapeId = 0;
  const ids = new Map<string, number>();
  const writer = {
    appendProfile(s: SuccessfulScrape): AppendResult {
      if (opts.failWrites) throw new Error('SQLITE_FULL: database or disk is full');
      calls.profiles.push(s.target.key);
      if (!ids.has(s.target.key)) ids.set(s.target.key, ids.size + 1);
      return { scrapeId: ++scrapeId, targetId: ids.get(s.target.key)!, epochId: 1, transition: scrapeId === 1 ? 'first' : 'same_epoch', keyframe: true };
    },
    appendFailure(f: FailedScrape): { scrapeId: number; targetId: number } {
      calls.failures.push(f.error);
      return { scrapeId: ++scrapeId, targetId: 1 };
    },
    registerTarget: (o: ProfileOrigin): number => (calls.registered.push(o.key), 1),
    forget: (key: string): void => void calls.forgotten.push(key),
  };
  const ignore = (): void => undefined;
  const metrics = {
    observeScrape: ignore,
    observeInuse: ignore,
    observeFinding: ignore,
    registerTarget: ignore,
    removeTarget: (o: { key: string }): void => void calls.removed.push(o.key),
    observeModules: ignore,
    observeTopFunctions: ignore,
  };
  const pipeline = new Pipeline({
    config: parseConfig('{}', 'test.yml'),
    decoder,
    writer,
    reader: { stackHistory: () => ({ points: [], frames: new Map(), modules: new Map(), functions: new Set<string>() }), functionsView: () => undefined },
    findings: { openOf: () => [], save: ignore },
    carry: { carryOf: () => undefined, save: ignore },
    metrics,
    storeHealth: { writeSucceeded: () => void calls.healthy.push(true), writeFailed: () => void calls.healthy.push(false) },
    log: createLogger('silent'),
  });
  return { pipeline, decoder, calls };
}

const arrival = (o: ProfileOrigin, kind: 'heap' | 'goroutine' = 'heap') => ({ origin: o, kind, startedAt: T0, durationMs: 5, body: new Uint8Array([0x1f, 0x8b]) });

describe('Pipeline', () => {
  it('decodes, stores and queues detection for a heap profile', async () => {
    const { pipeline, decoder, calls } = harness();
    const a = origin('a');
    const outcome = pipeline.accept(arrival(a));
    decoder.release();
    assert.deepEqual(await outcome, { ok: true, stale: false });
    await pipeline.detector.idle();
    assert.deepEqual(calls.profiles, ['push:a']);
    assert.deepEqual(calls.healthy, [true]);
    assert.equal(pipeline.detector.staleness(a.key, T0)?.profiles, 1, 'a detection session took the profile');
  });

  it('refuses a profile kind it does not process yet, and records it against the origin', async () => {
    const { pipeline, calls } = harness();
    const outcome = await pipeline.accept(arrival(origin('g'), 'goroutine'));
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.error.code, 'HW_ERR_PROFILE_KIND_UNSUPPORTED');
    assert.equal(calls.failures[0]?.code, 'HW_ERR_PROFILE_KIND_UNSUPPORTED');
    assert.deepEqual(calls.profiles, []);
  });

  it('records a failed fetch as the origin failure it reports', () => {
    const { pipeline, calls } = harness();
    const error: ErrorRecord = { code: 'HW_ERR_SCRAPE_TIMEOUT', message: 'scrape timed out: after 2 s' };
    assert.deepEqual(pipeline.reject(origin('a'), 'heap', T0, 2000, error), { ok: false, error });
    assert.deepEqual(calls.failures, [error]);
  });

  it('reports a failed database write to store health, with its code', async () => {
    const { pipeline, decoder, calls } = harness({ failWrites: true });
    const outcome = pipeline.accept(arrival(origin('a')));
    decoder.release();
    const o = await outcome;
    assert.equal(!o.ok && o.error.code, 'HW_ERR_STORE_WRITE');
    assert.deepEqual(calls.healthy, [false]);
  });

  it('forget fans out to every stage, once', () => {
    const { pipeline, calls } = harness();
    pipeline.register(origin('a'));
    pipeline.forget('push:a');
    assert.deepEqual(calls.registered, ['push:a']);
    assert.deepEqual(calls.forgotten, ['push:a']);
    assert.deepEqual(calls.removed, ['push:a']);
  });

  it('drops a profile that was decoding when its origin was forgotten: nothing stored, no session', async () => {
    const { pipeline, decoder, calls } = harness();
    const a = origin('a');
    const outcome = pipeline.accept(arrival(a));
    pipeline.forget(a.key);
    decoder.release();
    const o = await outcome;
    assert.equal(!o.ok && o.error.code, 'HW_ERR_ORIGIN_REMOVED');
    await pipeline.detector.idle();
    assert.deepEqual(calls.profiles, []);
    assert.equal(pipeline.detector.staleness(a.key, T0), undefined);
    assert.equal(pipeline.liveOrigins, 0);
  });

  it('drops a profile queued for detection when its origin is forgotten, and a returning origin starts afresh', async () => {
    const { pipeline, decoder } = harness();
    const [a, b] = [origin('a'), origin('b')];
    const both = Promise.all([pipeline.accept(arrival(a)), pipeline.accept(arrival(b))]);
    decoder.release();
    await both;
    // a was evaluated at once; b waits in the queue behind a yield to the event loop.
    pipeline.forget(b.key);
    await pipeline.detector.idle();
    assert.equal(pipeline.detector.staleness(a.key, T0)?.profiles, 1);
    assert.equal(pipeline.detector.staleness(b.key, T0), undefined, 'no session re-created after forget');
    assert.equal(pipeline.liveOrigins, 1);
    // b comes back (a reload that removed and re-added it): its new profiles are evaluated.
    const again = pipeline.accept(arrival(b));
    decoder.release();
    assert.equal((await again).ok, true);
    await pipeline.detector.idle();
    assert.equal(pipeline.detector.staleness(b.key, T0)?.profiles, 1);
  });

  it('stop waits for detection, then closes the decoder', async () => {
    const { pipeline, decoder } = harness();
    await pipeline.stop();
    assert.equal(decoder.closed, true);
  });
});
