/**
 * A session resumed from the store after a daemon restart reads each
 * stack's objects by size as the live session did (store migration 008):
 * netpoll read buffers of 8 MiB, in flight at three moments among thousands
 * of small buffers of the same stack, are still named as abnormally large
 * requests. Judged by the stack's mean, as the store allowed before, the
 * same history had none, and the risk vanished with the restart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeapProfile } from '../pprof/decode.js';
import type { HeapProfile } from '../pprof/profile.js';
import { openDatabase } from '../store/db.js';
import { StoreReader, type StackHistory } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import type { Target } from '../targets/target.js';
import { seededRandom } from '../../test/helpers/random.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { DEFAULT_DETECT_PARAMS } from './params.js';
import { DetectionSession } from './session.js';

const MIN = 60_000;
const MiB = 1 << 20;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const NP = 'github.com/cloudwego/netpoll';
const READ_BUFFER = [[`${NP}.newLinkBufferNode`], [`${NP}.(*UnsafeLinkBuffer).book`], [`${NP}.(*connection).inputs`], [`${NP}.(*connection).inputAck`]];
const target = { key: 'http://127.0.0.1:1/debug/pprof/heap', url: 'http://127.0.0.1:1/debug/pprof/heap', labels: { service: 's' } } as unknown as Target;

/** 8 MiB buffers in flight at minute m: requests of abnormal size from six callers at minutes 20, 50 and 80 only. */
const transient = (m: number): number => (m === 20 || m === 50 || m === 80 ? 6 : 0);

/**
 * Minute m of a server from its start: 3000 small read buffers (8 KiB) and
 * `transient(m)` 8 MiB ones (two samples of one stack, as Go writes a stack's
 * objects of each size), and a 60 MB working set.
 */
function profileAt(m: number, rand: () => number): HeapProfile {
  const big = transient(m);
  const small = 3000 + Math.round((rand() - 0.5) * 200);
  const ws = 60e6 * (1 + (rand() - 0.5) * 0.04);
  return decodeHeapProfile(
    syntheticHeapProfile(
      [
        // alloc_* are counters since the start: they only go up.
        { stack: READ_BUFFER, values: [3100 * (m + 1), 3100 * (m + 1) * 8192, small, small * 8192] },
        { stack: READ_BUFFER, values: [6 * Math.floor((m + 10) / 30), 6 * Math.floor((m + 10) / 30) * 8 * MiB, big, big * 8 * MiB] },
        { stack: [['main.(*workingSet).refill'], ['main.serve']], values: [1000 * (m + 1), 62e6 * (m + 1), 1000, ws] },
      ],
      { timeNanos: BigInt(T0 + m * MIN) * 1_000_000n },
    ),
    { maxDecompressedBytes: 1 << 24 },
  );
}

const MINUTES = 150;
const RESTART = 110;
const profiles = ((rand) => Array.from({ length: MINUTES }, (_, m) => profileAt(m, rand)))(seededRandom(11));

/** The stored history up to the daemon restart, as the detector reads it to resume. */
function storedHistory(): StackHistory {
  const db = openDatabase(':memory:');
  const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 2 });
  const stored = profiles.slice(0, RESTART).map((profile) => writer.appendProfile({ target, startedAt: profile.timeMs, durationMs: 1, body: new Uint8Array([0x1f, 0x8b]), profile }));
  const last = stored.at(-1)!;
  return new StoreReader(db).stackHistory(last.epochId, 0, last.scrapeId + 1);
}

/** The open findings on netpoll's read buffers once every profile from minute `from` on is seen. */
function findingsAtEnd(session: DetectionSession, from: number): string[] {
  for (let m = from; m < MINUTES; m++) session.observe('1', profiles[m]!.timeMs, profiles[m]!);
  return session
    .open()
    .filter((f) => f.function.startsWith(NP))
    .map((f) => `${f.classId}@${f.severity}: ${f.summary}`);
}

describe('a session resumed from the store', () => {
  const live = findingsAtEnd(new DetectionSession(DEFAULT_DETECT_PARAMS), 0);

  it('still names the abnormal requests seen before the restart, as the live session does', () => {
    assert.equal(live.length, 1, JSON.stringify(live));
    assert.match(live[0]!, /^oversized-requests@info: abnormally large requests: netpoll read buffers of 8 MiB on average, .* in 3 of 150 profiles/);
    const resumed = new DetectionSession(DEFAULT_DETECT_PARAMS);
    resumed.seed('1', storedHistory());
    assert.deepEqual(findingsAtEnd(resumed, RESTART), live);
  });

  it('judged by the mean alone (scrapes stored before migration 008), the buffers among small ones are lost', () => {
    const history = storedHistory();
    const byMean: StackHistory = {
      ...history,
      // Copied as read: the reader reuses each point's map for the next.
      points: (function* () {
        for (const p of history.points) yield { ...p, stacks: new Map([...p.stacks].map(([id, v]) => [id, [v[0], v[1], v[2]] as const])) };
      })(),
    };
    const resumed = new DetectionSession(DEFAULT_DETECT_PARAMS);
    resumed.seed('1', byMean);
    assert.deepEqual(findingsAtEnd(resumed, RESTART), []);
  });
});
