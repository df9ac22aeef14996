/**
 * Epoch flapping: two processes behind one URL make the counters go down on
 * every scrape. Each would open a new epoch and write a full keyframe; the
 * writer backs off instead, and says so with HW_ERR_EPOCH_FLAPPING.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeapProfile } from '../pprof/decode.js';
import { buildTarget } from '../targets/build.js';
import { parseConfig } from '../config/load.js';
import { syntheticHeapProfile } from '../../test/helpers/synthetic-profile.js';
import { openDatabase } from './db.js';
import { StoreWriter } from './writer.js';

const config = parseConfig('{}', 'inline.yml');
const target = buildTarget('http://127.0.0.1:1/debug/pprof/heap', {}, {}, config.global, 'static');
const limits = { maxDecompressedBytes: 1 << 24 };
const body = new Uint8Array([0x1f, 0x8b]);

/** Process A has more alloc_objects, process B more alloc_space: each looks like a restart after the other. */
const A = decodeHeapProfile(syntheticHeapProfile([{ stack: [['main.a'], ['main.run']], values: [200, 1_000, 5, 5e6] }]), limits);
const B = decodeHeapProfile(syntheticHeapProfile([{ stack: [['main.b'], ['main.run']], values: [100, 2_000, 6, 6e6] }]), limits);

describe('epoch flapping', () => {
  it('backs off keyframes when counters go down on every scrape, and reports each refused scrape', () => {
    const db = openDatabase(':memory:');
    const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 2 });
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const profile = i % 2 === 0 ? A : B;
      try {
        const r = writer.appendProfile({ target, startedAt: 1_000 + i * 1000, durationMs: 1, body, profile });
        outcomes.push(r.transition);
      } catch (err) {
        assert.equal((err as { code?: string }).code, 'HW_ERR_EPOCH_FLAPPING');
        outcomes.push('refused');
        writer.appendFailure({ target, startedAt: 1_000 + i * 1000, durationMs: 1, error: { code: 'HW_ERR_EPOCH_FLAPPING', message: (err as Error).message } });
      }
    }
    // first, then two restarts are taken as they come; from the third in a row only the 4th, 8th, 16th and 32nd open an epoch.
    const opened = outcomes.map((o, i) => (o === 'refused' ? -1 : i)).filter((i) => i >= 0);
    assert.deepEqual(opened, [0, 1, 2, 4, 8, 16, 32]);
    const epochs = (db.prepare('SELECT COUNT(*) AS n FROM epochs').get() as { n: number }).n;
    assert.equal(epochs, 7, 'one epoch per accepted restart, not one per scrape');
    const keyframes = (db.prepare('SELECT COUNT(*) AS n FROM scrapes WHERE keyframe = 1').get() as { n: number }).n;
    assert.equal(keyframes, 7);
    const refused = (db.prepare("SELECT COUNT(*) AS n FROM scrapes WHERE error_code = 'HW_ERR_EPOCH_FLAPPING'").get() as { n: number }).n;
    assert.equal(refused, 33);
    db.close();
  });

  it('takes a single restart as it comes, and a steady process after flapping resets the streak', () => {
    const db = openDatabase(':memory:');
    const writer = new StoreWriter(db, { keyframeEvery: 60, keepLatestProfiles: 2 });
    const seq = [A, B, A, B, B, B, A];
    const t = seq.map((p, i) => {
      try {
        return writer.appendProfile({ target, startedAt: 1_000 + i * 1000, durationMs: 1, body, profile: p }).transition;
      } catch {
        return 'refused';
      }
    });
    // A B A: first, restart, restart; B (3rd in a row) refused; B B: stale (same totals) resets; A: a restart taken.
    assert.deepEqual(t, ['first', 'restart', 'restart', 'refused', 'stale', 'stale', 'restart']);
    db.close();
  });
});
