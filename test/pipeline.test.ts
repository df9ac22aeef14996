/**
 * The core pipeline end to end on loopback: a real Go service that grows a
 * known structure, the real daemon scraping it every second, a real SQLite
 * file. The stored per-function deltas must add up to the differences between
 * the profiles the daemon fetched, and the API must show the same numbers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { flatInuse } from './helpers/stacks.js';
import { decodeHeapProfile } from '../src/pprof/decode.js';
import { StoreReader } from '../src/store/reader.js';
import { openDatabase } from '../src/store/db.js';
import { buildGoFixture, startGoService, type RunningService } from './helpers/go-service.js';
import { startTestDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { storedFunctionValues, storedTargets } from './helpers/store-queries.js';

const limits = { maxDecompressedBytes: 512 * 1024 * 1024 };

describe('pipeline: scrape, decode, store deltas, serve', () => {
  let grower: RunningService;
  let hw: TestDaemon;
  const ingested: { scrapeId: number; epochId: number }[] = [];

  before(async () => {
    const bin = buildGoFixture('go/grower');
    // Every allocation sampled, so the retained structure is exact in the profile.
    grower = await startGoService(bin, ['-addr', '127.0.0.1:0', '-rate', '1048576', '-memprofilerate', '1']);
    hw = await startTestDaemon(
      {
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        storage: { keyframe_every: 3, keep_latest_profiles: 1000 },
        targets: [{ url: `${grower.url}/debug/pprof/heap`, params: { gc: 1 }, labels: { service: 'grower' } }],
      },
      { onIngested: (i) => ingested.push({ scrapeId: i.stored.scrapeId, epochId: i.stored.epochId }) },
    );
    await waitFor('7 stored profiles', () => ingested.length >= 7, 30_000);
    await hw.daemon.stop();
  });

  after(async () => {
    await grower?.stop();
  });

  it('rebuilds every scrape from keyframes plus deltas exactly as the fetched profile', () => {
    const db = openDatabase(hw.dbPath);
    const reader = new StoreReader(db);
    const target = storedTargets(db)[0]!;
    const names = new Map((db.prepare('SELECT id, name FROM functions').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
    const scrapes = reader.scrapes(target.id).filter((s) => s.outcome === 'ok');
    assert.ok(scrapes.length >= 7);
    assert.ok(scrapes.some((s) => s.keyframe === 1) && scrapes.some((s) => s.keyframe === 0), 'both keyframes and deltas');
    let previous: Map<string, number> | undefined;
    for (const s of scrapes) {
      const raw = reader.profiles(target.id, 10_000).find((p) => p.scrapeId === s.id);
      assert.ok(raw, `raw profile of scrape ${s.id} kept`);
      const profile = decodeHeapProfile(reader.profileBytes(target.id, raw.id)!.bytes, limits);
      const flat = flatInuse(profile);
      const expected = new Map<string, number>();
      profile.functions.forEach((f, i) => {
        if (flat.bytes[i] !== 0) expected.set(f.name, flat.bytes[i]!);
      });
      // 1. The state rebuilt from the store equals the profile.
      const rebuilt = new Map([...reader.functionStateAt(s.epochId!, s.id)].map(([id, [b]]) => [names.get(id)!, b]));
      for (const [k, v] of [...rebuilt]) if (v === 0) rebuilt.delete(k);
      assert.deepEqual(rebuilt, expected, `scrape ${s.id}`);
      // 2. A delta scrape stores exactly the changed functions' differences.
      if (s.keyframe === 0) {
        assert.ok(previous);
        const stored = new Map([...storedFunctionValues(db, s.id)].map(([id, [b]]) => [names.get(id)!, b]));
        const diff = new Map<string, number>();
        for (const name of new Set([...expected.keys(), ...previous.keys()])) {
          const d = (expected.get(name) ?? 0) - (previous.get(name) ?? 0);
          if (d !== 0) diff.set(name, d);
        }
        for (const [k, v] of [...stored]) if (v === 0) stored.delete(k);
        assert.deepEqual(stored, diff, `delta of scrape ${s.id}`);
      }
      previous = expected;
    }
    // The known structure grows: main.retainChunk is the top grower.
    const first = reader.functionStateAt(scrapes[0]!.epochId!, scrapes[0]!.id);
    const last = reader.functionStateAt(scrapes.at(-1)!.epochId!, scrapes.at(-1)!.id);
    const retainId = [...names].find(([, n]) => n === 'main.retainChunk')![0];
    assert.ok(last.get(retainId)![0] > (first.get(retainId)?.[0] ?? 0) + 1024 * 1024, 'retainChunk grew by more than 1 MiB');
    db.close();
  });

  it('serves the same numbers from the API functions view', async () => {
    const db = openDatabase(hw.dbPath);
    const reader = new StoreReader(db);
    const { buildServer } = await import('../src/api/server.js');
    const { Registry } = await import('prom-client');
    const { HeapwatchMetrics } = await import('../src/daemon/metrics.js');
    const app = buildServer({ reader, targets: () => [], metrics: new HeapwatchMetrics(new Registry()), ready: () => true });
    const target = storedTargets(db)[0]!;
    const res = await app.inject({ url: `/api/v1/targets/${target.id}/functions?window=1h&sort=growth&limit=5` });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ functions: { name: string; inuse_bytes: number; start_bytes: number; delta_bytes: number; bytes_per_hour: number }[]; from: string; to: string }>();
    const top = body.functions[0]!;
    assert.equal(top.name, 'main.retainChunk');
    const scrapes = reader.scrapes(target.id).filter((s) => s.outcome === 'ok');
    const retain = (db.prepare(`SELECT id FROM functions WHERE name = 'main.retainChunk'`).get() as { id: number }).id;
    const firstState = reader.functionStateAt(scrapes[0]!.epochId!, scrapes[0]!.id).get(retain)?.[0] ?? 0;
    const lastState = reader.functionStateAt(scrapes.at(-1)!.epochId!, scrapes.at(-1)!.id).get(retain)![0];
    assert.equal(top.inuse_bytes, lastState);
    assert.equal(top.start_bytes, firstState);
    assert.equal(top.delta_bytes, lastState - firstState);
    const hours = (Date.parse(body.to) - Date.parse(body.from)) / 3_600_000;
    assert.ok(Math.abs(top.bytes_per_hour - top.delta_bytes / hours) < 1e-6 * Math.abs(top.bytes_per_hour));
    const byInuse = await app.inject({ url: `/api/v1/targets/${target.id}/functions?sort=inuse&limit=3` });
    const inuse = byInuse.json<{ functions: { inuse_bytes: number }[] }>().functions.map((f) => f.inuse_bytes);
    assert.deepEqual(inuse, [...inuse].sort((a, b) => b - a));
    const profiles = await app.inject({ url: `/api/v1/targets/${target.id}/profiles` });
    const list = profiles.json<{ profiles: { url: string; epoch_start: boolean }[] }>().profiles;
    assert.ok(list.some((p) => p.epoch_start));
    const raw = await app.inject({ url: list[0]!.url });
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.headers['content-type'], 'application/octet-stream');
    assert.deepEqual([raw.rawPayload[0], raw.rawPayload[1]], [0x1f, 0x8b]);
    await app.close();
    db.close();
  });
});
