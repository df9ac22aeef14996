/**
 * A target restarting mid-run starts a new process epoch: its first scrape is
 * a keyframe, no delta spans the restart, and the functions view never
 * reaches back across it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../src/store/db.js';
import { StoreReader } from '../src/store/reader.js';
import { buildGoFixture, startGoService } from './helpers/go-service.js';
import { freePort, startTestDaemon, waitFor } from './helpers/daemon.js';
import { storedFunctionValues, storedTargets } from './helpers/store-queries.js';

describe('target restart', () => {
  it('opens a new epoch with a keyframe and records no delta across the restart', async () => {
    const bin = buildGoFixture('go/grower');
    const port = await freePort();
    const args = ['-addr', `127.0.0.1:${port}`, '-rate', '2097152', '-memprofilerate', '1'];
    let grower = await startGoService(bin, args);
    const transitions: string[] = [];
    const hw = await startTestDaemon(
      {
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        storage: { keyframe_every: 100 },
        targets: [{ url: `http://127.0.0.1:${port}/debug/pprof/heap`, params: { gc: 1 } }],
      },
      { onIngested: (i) => transitions.push(i.stored.transition) },
    );
    try {
      await waitFor('4 profiles from the first process', () => transitions.filter((t) => t !== 'stale').length >= 4);
      await grower.stop();
      grower = await startGoService(bin, args);
      await waitFor('a restart', () => transitions.includes('restart'));
      const afterRestart = transitions.length;
      await waitFor('3 profiles from the second process', () => transitions.length >= afterRestart + 3);
    } finally {
      await hw.daemon.stop();
      await grower.stop();
    }
    const db = openDatabase(hw.dbPath);
    const reader = new StoreReader(db);
    const target = storedTargets(db)[0]!;
    const epochs = db.prepare('SELECT id, reason, ended_at AS endedAt FROM epochs WHERE target_id = ? ORDER BY id').all(target.id) as {
      id: number;
      reason: string;
      endedAt: number | null;
    }[];
    assert.deepEqual(epochs.map((e) => e.reason), ['first', 'restart']);
    assert.notEqual(epochs[0]!.endedAt, null);
    const scrapes = reader.scrapes(target.id).filter((s) => s.outcome === 'ok');
    const second = scrapes.filter((s) => s.epochId === epochs[1]!.id);
    assert.equal(second[0]!.keyframe, 1, 'the first scrape of the new process is a keyframe');
    assert.ok(second.length >= 3);
    // The first process retained more than the second had when it was first
    // scraped: a delta across the restart would have been a large negative.
    const lastOfFirst = scrapes.filter((s) => s.epochId === epochs[0]!.id).at(-1)!;
    assert.ok(lastOfFirst.allocBytes! > second[0]!.allocBytes!);
    for (const s of second.slice(1)) {
      for (const [, [bytes]] of storedFunctionValues(db, s.id)) {
        assert.ok(bytes > -lastOfFirst.inuseBytes! / 2, `no restart-sized negative delta in scrape ${s.id}`);
      }
    }
    const view = reader.functionsView(target.id, 3_600_000, 'growth', 10)!;
    assert.equal(view.epochId, epochs[1]!.id);
    assert.ok(view.from.ts >= second[0]!.ts, 'the window starts at the restart');
    db.close();
  });
});
