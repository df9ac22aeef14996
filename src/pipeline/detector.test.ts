/**
 * The daemon's detector runner on a real store: a target whose profiles are
 * mostly stale (no GC between scrapes) is reported, once, in the log with the
 * `params: { gc: 1 }` suggestion, and its staleness is served for the API.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from '../detect/params.js';
import { createLogger } from '../log.js';
import { decodeHeapProfile } from '../pprof/decode.js';
import { openDatabase } from '../store/db.js';
import { CarryStore } from '../store/carry.js';
import { FindingStore } from '../store/findings.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import type { Target } from '../targets/target.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { DetectorRunner } from './detector.js';

const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;
const MIN = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function profile(i: number): ReturnType<typeof decodeHeapProfile> {
  return decodeHeapProfile(
    syntheticHeapProfile([{ stack: [['main.keep'], ['main.run']], values: [i, i * 1e6, i, i * 1e6] }], { timeNanos: BigInt(T0 + i * MIN) * 1_000_000n }),
    { maxDecompressedBytes: 1 << 24 },
  );
}

/** A runner on an in-memory store, and a feed of one scrape a minute where a GC runs only every `gcEvery` minutes. */
function rareGcTarget(deps: Pick<ConstructorParameters<typeof DetectorRunner>[0], 'log' | 'onEvent'>): {
  runner: DetectorRunner;
  scrape: (minutes: number, gcEvery: number, o: { awaitEach: boolean }) => Promise<void>;
} {
  const db = openDatabase(':memory:');
  const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 2 });
  const runner = new DetectorRunner({ findings: new FindingStore(db), carry: new CarryStore(db), reader: new StoreReader(db), params: DEFAULT_DETECT_PARAMS, ...deps });
  const scrape = async (minutes: number, gcEvery: number, o: { awaitEach: boolean }): Promise<void> => {
    // Without a GC since the last scrape, the runtime serves the same profile again.
    let last = profile(1);
    for (let m = 1; m <= minutes; m++) {
      if (m % gcEvery === 1) last = profile(m);
      const p = { ...last, timeMs: T0 + m * MIN };
      const stored = writer.appendProfile({ target, startedAt: T0 + m * MIN, durationMs: 1, body: new Uint8Array([0x1f, 0x8b]), profile: p });
      runner.enqueue({ target, startedAt: T0 + m * MIN, profile: p, stored });
      if (o.awaitEach) await runner.idle();
    }
    await runner.idle();
  };
  return { runner, scrape };
}

describe('DetectorRunner', () => {
  it('says once, in the log and for the API, when a target is mostly stale', async () => {
    const lines: { level: number; msg: string; suggestion?: string }[] = [];
    const log = createLogger('info', new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]), cb()) }));
    const { runner, scrape } = rareGcTarget({ log });
    // A GC every 5th scrape: 4 of 5 profiles are the previous one again.
    await scrape(40, 5, { awaitEach: true });
    const s = runner.staleness(target.key, T0 + 40 * MIN)!;
    assert.equal(s.profiles, 40);
    assert.equal(s.share, 0.8);
    assert.match(s.note!, /80% of the last hour's profiles were unchanged .*params: \{ gc: 1 \}/);
    const warnings = lines.filter((l) => l.level === 40);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.msg, /^target mostly stale: /);
    assert.equal(warnings[0]!.suggestion, 'params: { gc: 1 }');
  });

  it('stale profiles queue behind the changed one before them, and its judgement runs on through them', async () => {
    const opened: number[] = [];
    const { scrape } = rareGcTarget({
      log: createLogger('silent'),
      onEvent: (_key, e) => {
        if (e.type === 'opened') opened.push((e.finding.detectedAt - T0) / MIN);
      },
    });
    // A GC every 30 minutes, everything enqueued at once: the stale profiles
    // are queued while the changed one before them waits to be evaluated.
    await scrape(240, 30, { awaitEach: false });
    assert.ok(opened.length > 0, 'the leak was found');
    // Each finding opened `for` (10 min) after a GC's profile (minutes 1, 31, ...), on a stale one.
    for (const minute of opened) assert.equal((minute - 1) % 30, DEFAULT_DETECT_PARAMS.forMs / MIN, JSON.stringify(opened));
  });
});
