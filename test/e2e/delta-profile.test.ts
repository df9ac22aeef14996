/**
 * `?seconds=N` on Go's pprof endpoints serves a delta of two profiles N
 * seconds apart, not the live heap (src/pprof/delta-profile.ts). A real Go
 * service on loopback serves both forms; heapwatch must refuse the delta
 * with its own code wherever it can arrive: in a config, from a target that
 * serves one behind a plain URL (a proxy that adds the parameter), and in
 * the files of `analyze`, `import` and `diff`, and for goroutine profiles
 * too. `top` shows a delta, as `go tool pprof` does, saying what it is.
 * The other target keeps being scraped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeProfileFast } from '../../src/pprof/fast-decode.js';
import { refuseDeltaProfile } from '../../src/pprof/delta-profile.js';
import { HeapwatchError } from '../../src/errors.js';
import { openDatabase } from '../../src/store/db.js';
import { StoreReader } from '../../src/store/reader.js';
import { buildGoFixture, startGoService, type RunningService } from '../helpers/go-service.js';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { storedTargets } from '../helpers/store-queries.js';
import { CLI } from '../helpers/paths.js';

const limits = { maxDecompressedBytes: 64 * 1024 * 1024 };

async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, url);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * A loopback proxy in front of the grower: what a gateway that adds the
 * parameter looks like. Under /all/ it serves every profile as Go's
 * `?seconds=1` delta; under /goroutine/ only the goroutine profile, with the
 * live heap beside it (the scrape loop fetches goroutines only after a heap
 * it could take).
 */
async function startDeltaProxy(upstream: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const [, mode, ...rest] = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.split('/');
    const path = `/${rest.join('/')}`;
    const delta = mode === 'all' || (mode === 'goroutine' && path.endsWith('/goroutine'));
    fetchBytes(`${upstream}${path}${delta ? '?seconds=1' : ''}`).then(
      (body) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body),
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}` };
}

describe('delta profiles (?seconds=)', () => {
  let grower: RunningService;
  let heap: Buffer;
  let heapDelta: Buffer;
  let goroutineDelta: Buffer;

  before(async () => {
    grower = await startGoService(buildGoFixture('go/grower'), ['-addr', '127.0.0.1:0', '-rate', '1048576']);
    heapDelta = await fetchBytes(`${grower.url}/debug/pprof/heap?seconds=1`);
    goroutineDelta = await fetchBytes(`${grower.url}/debug/pprof/goroutine?seconds=1`);
    // The live heap last: it holds all the grower kept since it started, so more than any one second of it.
    heap = await fetchBytes(`${grower.url}/debug/pprof/heap`);
  });

  after(async () => {
    await grower?.stop();
  });

  it('Go marks the delta by its duration, and only the delta', () => {
    const live = decodeProfileFast(heap, limits);
    const delta = decodeProfileFast(heapDelta, limits);
    assert.equal(live.kind, 'heap');
    assert.equal(live.profile.durationNanos, 0);
    assert.equal(delta.kind, 'heap');
    assert.ok(delta.profile.durationNanos >= 0.9e9 && delta.profile.durationNanos < 5e9, `duration ${delta.profile.durationNanos} ns`);
    // inuse of the delta is what changed in one second, not what is live: far less.
    assert.ok(delta.profile.totals[3]! < live.profile.totals[3]!, 'the delta holds less inuse than the live heap');
    refuseDeltaProfile(live.profile);
    for (const bytes of [heapDelta, goroutineDelta]) {
      assert.throws(
        () => refuseDeltaProfile(decodeProfileFast(bytes, limits).profile),
        (err: unknown) => err instanceof HeapwatchError && err.code === 'HW_ERR_PROFILE_DELTA' && /covers 1\.\d s .*without "seconds"/.test(err.message),
      );
    }
  });

  it('analyze names the delta file and its code, and claims nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-delta-'));
    writeFileSync(join(dir, 'heap-1.pb.gz'), heap);
    writeFileSync(join(dir, 'heap-2.pb.gz'), heapDelta);
    const r = spawnSync(process.execPath, [CLI, 'analyze', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /HW_ERR_PROFILE_DELTA/);
    assert.match(r.stderr, /heap-2\.pb\.gz: .*covers 1\.\d s/);
    assert.doesNotMatch(r.stdout, /no leak/i);
  });

  it('import refuses the delta file with its code and stores the live one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-delta-import-'));
    const config = join(dir, 'heapwatch.yaml');
    writeFileSync(config, `storage: { path: ${JSON.stringify(join(dir, 'heapwatch.db'))} }\n`);
    mkdirSync(join(dir, 'profiles'));
    writeFileSync(join(dir, 'profiles', 'heap-1.pb.gz'), heap);
    writeFileSync(join(dir, 'profiles', 'heap-2.pb.gz'), heapDelta);
    const r = spawnSync(process.execPath, [CLI, 'import', '--config', config, '--target', 'grower', join(dir, 'profiles')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /2 file\(s\): 1 stored, 0 skipped \(already stored\), 1 rejected/);
    assert.match(r.stdout, /rejected HW_ERR_PROFILE_DELTA: 1/);
    assert.match(r.stdout, /heap-2\.pb\.gz/);
  });

  it('top says the values are changes over the span; a live profile has no such line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-delta-top-'));
    writeFileSync(join(dir, 'delta.pb.gz'), heapDelta);
    writeFileSync(join(dir, 'live.pb.gz'), heap);
    const delta = spawnSync(process.execPath, [CLI, 'top', join(dir, 'delta.pb.gz')], { encoding: 'utf8' });
    assert.equal(delta.status, 0, delta.stderr);
    assert.match(delta.stdout.split('\n')[0]!, /^Duration: 1\.\d s \(a delta profile: each value is what changed over that span, not what is live\)$/);
    const json = spawnSync(process.execPath, [CLI, 'top', '--json', join(dir, 'delta.pb.gz')], { encoding: 'utf8' });
    const report = JSON.parse(json.stdout) as { duration_seconds?: number };
    assert.ok(report.duration_seconds! >= 0.9 && report.duration_seconds! < 5, `duration_seconds ${report.duration_seconds}`);
    const live = spawnSync(process.execPath, [CLI, 'top', '--json', join(dir, 'live.pb.gz')], { encoding: 'utf8' });
    assert.equal(live.status, 0, live.stderr);
    assert.equal((JSON.parse(live.stdout) as { duration_seconds?: number }).duration_seconds, undefined);
    assert.match(spawnSync(process.execPath, [CLI, 'top', join(dir, 'live.pb.gz')], { encoding: 'utf8' }).stdout, /^Showing top/);
  });

  it('diff refuses a delta on either side, naming the file, and writes no diff profile', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-delta-diff-'));
    writeFileSync(join(dir, 'live.pb.gz'), heap);
    writeFileSync(join(dir, 'delta.pb.gz'), heapDelta);
    for (const [base, later] of [['live', 'delta'], ['delta', 'live']] as const) {
      const out = join(dir, `${base}-${later}.diff.pb.gz`);
      const r = spawnSync(process.execPath, [CLI, 'diff', '-o', out, join(dir, `${base}.pb.gz`), join(dir, `${later}.pb.gz`)], { encoding: 'utf8' });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /HW_ERR_PROFILE_DELTA/);
      assert.match(r.stderr, /delta\.pb\.gz: .*covers 1\.\d s/);
      assert.equal(existsSync(out), false, 'no diff profile written');
    }
  });

  describe('a target that serves a delta behind a plain URL', () => {
    let proxy: { server: Server; url: string };
    let hw: TestDaemon;
    const outcomes = new Map<string, number>();

    before(async () => {
      proxy = await startDeltaProxy(grower.url);
      hw = await startTestDaemon(
        {
          // Each delta takes Go a second to serve: 2.9 s leaves a loaded machine room to serve it in time.
          global: { scrape_interval: '3s', scrape_timeout: '2900ms' },
          targets: [
            { url: `${grower.url}/debug/pprof/heap`, params: { gc: 1 }, labels: { service: 'live' }, profiles: ['heap', 'goroutine'] },
            { url: `${proxy.url}/all/debug/pprof/heap`, labels: { service: 'delta' } },
            { url: `${proxy.url}/goroutine/debug/pprof/heap`, labels: { service: 'goroutine-delta' }, profiles: ['heap', 'goroutine'] },
          ],
        },
        { onIngested: (i) => outcomes.set(i.target.labels.service!, (outcomes.get(i.target.labels.service!) ?? 0) + 1) },
      );
      const failures = async (service: string): Promise<number> => {
        const body = (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { labels: { service: string }; failures?: number }[] }>();
        return body.targets.find((t) => t.labels.service === service)?.failures ?? 0;
      };
      // Two stored heaps of the goroutine-delta target: its goroutine fetch follows the first in the same slot.
      await waitFor(
        '3 stored scrapes of the live target, 2 of the goroutine-delta one, and 2 refused deltas',
        async () => (outcomes.get('live') ?? 0) >= 3 && (outcomes.get('goroutine-delta') ?? 0) >= 2 && (await failures('delta')) >= 2,
        30_000,
        250,
      );
    });

    after(async () => {
      await hw?.daemon.stop();
      await new Promise((resolve) => proxy?.server.close(resolve));
    });

    it('says so on the API, and keeps scraping the other target', async () => {
      const body = (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { labels: { service: string }; health: string; last_error: { code: string } | null }[] }>();
      const delta = body.targets.find((t) => t.labels.service === 'delta')!;
      const live = body.targets.find((t) => t.labels.service === 'live')!;
      assert.equal(delta.health, 'down');
      // Every one of its scrapes is refused (below); its last error is a refusal unless its latest
      // scrape timed out, so the API is read again at its next scrape rather than asserted once.
      await waitFor(
        'the delta target\'s last error on the API is HW_ERR_PROFILE_DELTA',
        async () => {
          const now = (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { labels: { service: string }; last_error: { code: string } | null }[] }>();
          return now.targets.find((t) => t.labels.service === 'delta')?.last_error?.code === 'HW_ERR_PROFILE_DELTA';
        },
        10_000,
        250,
      );
      // The live target kept being scraped and stored; its health is not asserted, since one of its
      // own scrapes timing out on a loaded machine would make it 'down' for reasons not under test.
      assert.notEqual(live.last_error?.code, 'HW_ERR_PROFILE_DELTA');
      assert.ok((outcomes.get('live') ?? 0) >= 3);
    });

    it('records each scrape as refused with HW_ERR_PROFILE_DELTA and stores nothing of it', async () => {
      await hw.daemon.stop();
      const db = openDatabase(hw.dbPath);
      try {
        const reader = new StoreReader(db);
        const target = storedTargets(db).find((t) => t.url.startsWith(`${proxy.url}/all/`))!;
        const scrapes = reader.scrapes(target.id);
        assert.ok(scrapes.length >= 2);
        // Refused each time it was served; a scrape a loaded machine timed out is an error too, and neither is stored.
        const refusedHeaps = scrapes.filter((s) => s.errorCode === 'HW_ERR_PROFILE_DELTA');
        assert.ok(refusedHeaps.length >= 1, 'refused as a delta');
        assert.ok(scrapes.every((s) => s.outcome === 'error' && s.epochId === null), 'nothing of it stored');
        assert.match(refusedHeaps[0]!.errorMessage!, /covers 1\.\d s .*without "seconds"/);
        assert.equal(reader.currentEpoch(target.id), undefined, 'no epoch opened from a delta');
        // The goroutine profile's delta too: refused with the same code, while the live target's are stored.
        const goroutineOutcomes = (targetId: number): { outcome: string; code: string | null }[] =>
          db.prepare(`SELECT outcome, error_code AS code FROM goroutine_scrapes WHERE target_id = ? AND kind = 'goroutine'`).all(targetId) as { outcome: string; code: string | null }[];
        const goroutineDelta = storedTargets(db).find((t) => t.url.startsWith(`${proxy.url}/goroutine/`))!;
        // Its live heap is stored. Without gc=1 a heap can repeat the last (stale), and a loaded
        // machine can time a scrape out; neither is a refusal, so only the code is asserted here.
        const heaps = reader.scrapes(goroutineDelta.id);
        assert.ok(heaps.some((s) => s.outcome === 'ok'), 'its live heap is stored');
        assert.ok(heaps.every((s) => s.errorCode !== 'HW_ERR_PROFILE_DELTA'), 'its live heap is not refused as a delta');
        const refused = goroutineOutcomes(goroutineDelta.id);
        assert.ok(refused.length >= 1, "the goroutine-delta target's goroutine profile was fetched");
        assert.ok(refused.some((r) => r.code === 'HW_ERR_PROFILE_DELTA'), 'its goroutine delta is refused');
        assert.ok(refused.every((r) => r.outcome === 'error'), 'no goroutine delta is stored');
        const live = goroutineOutcomes(storedTargets(db).find((t) => t.url.startsWith(grower.url))!.id);
        assert.ok(live.some((r) => r.outcome === 'ok'), "the live target's goroutine profiles are stored");
      } finally {
        db.close();
      }
      assert.equal(outcomes.get('delta'), undefined, 'no delta profile reached detection');
    });
  });
});
