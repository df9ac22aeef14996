/**
 * Goroutine detection in the daemon's runner on a real store and real
 * goroutine profiles (test/fixtures/goroutine-corpus/leak-chan-send): a
 * restarted daemon resumes the pile's window from the stored counts and
 * raises the finding at its first goroutine profile, where a runner without
 * the stored history would start from nothing; heap findings and goroutine
 * findings of one target stay with their own session.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from '../detect/params.js';
import { createLogger } from '../log.js';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import type { HeapProfile } from '../pprof/profile.js';
import { openDatabase } from '../store/db.js';
import { CarryStore } from '../store/carry.js';
import { FindingStore } from '../store/findings.js';
import { readGoroutineSeries } from '../store/goroutine-reader.js';
import { GoroutineWriter } from '../store/goroutine-writer.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import type { Target } from '../targets/target.js';
import { FIXTURES } from '../../test/helpers/paths.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { DetectorRunner } from './detector.js';

const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;
const LIMITS = { maxDecompressedBytes: 1 << 24 };
const PARAMS = { ...DEFAULT_DETECT_PARAMS, warmupMs: 0 };

function chanSend(): HeapProfile[] {
  const dir = join(FIXTURES, 'goroutine-corpus', 'leak-chan-send', 'profiles');
  return readdirSync(dir)
    .sort()
    .map((f) => decodeProfileFast(readFileSync(join(dir, f)), LIMITS).profile);
}

describe('DetectorRunner: goroutine detection', () => {
  it('resumes a pile\'s window from the store after a restart, and keeps goroutine findings apart from the heap session', async () => {
    const db = openDatabase(':memory:');
    const heap = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 1 });
    heap.appendProfile({ target, startedAt: 0, durationMs: 1, body: new Uint8Array(2), profile: decodeProfileFast(syntheticHeapProfile([{ stack: [['main.run']], values: [1, 1000, 1, 1000] }]), LIMITS).profile });
    const writer = new GoroutineWriter(db, { keyframeEvery: 30 });
    const profiles = chanSend();
    const append = (i: number) => writer.append({ owner: target, kind: 'goroutine', startedAt: profiles[i]!.timeMs, durationMs: 1, bodyBytes: 1, profile: profiles[i]! });
    // The daemon before its restart stored 40 minutes of the series.
    for (let i = 0; i < 40; i++) append(i);
    const stored = append(40);
    const log = createLogger('silent');
    const findings = new FindingStore(db);
    const ingested = { target, kind: 'goroutine' as const, startedAt: profiles[40]!.timeMs, profile: profiles[40]!, stored };

    const fresh = new DetectorRunner({ findings, carry: new CarryStore(db), reader: new StoreReader(db), params: PARAMS, log });
    fresh.enqueueGoroutines(ingested);
    await fresh.idle();
    assert.deepEqual(fresh.open(target.key), [], 'one profile is no history');

    const resumed = new DetectorRunner({ findings, carry: new CarryStore(db), reader: new StoreReader(db), params: PARAMS, log, goroutineHistory: (k, kind, since) => readGoroutineSeries(db, k, kind, since) });
    resumed.enqueueGoroutines(ingested);
    await resumed.idle();
    const open = resumed.open(target.key);
    assert.deepEqual(open.map((f) => `${f.classId} ${f.function}`), ['goroutine-leak main.lookupBackend']);

    // A later restart: the stored open finding goes to the goroutine session, not the heap session (which would resolve it).
    const third = new DetectorRunner({ findings, carry: new CarryStore(db), reader: new StoreReader(db), params: PARAMS, log });
    const next = append(41);
    third.enqueueGoroutines({ ...ingested, startedAt: profiles[41]!.timeMs, profile: profiles[41]!, stored: next });
    await third.idle();
    assert.deepEqual(third.open(target.key).map((f) => f.key), open.map((f) => f.key));
  });
});
