/**
 * `?seconds=N` on Go's pprof endpoints serves a delta of two profiles N
 * seconds apart, not the live heap (src/pprof/delta-profile.ts). A real Go
 * service on loopback serves both forms; heapwatch must refuse the delta
 * with its own code wherever it can arrive: in a config, from a target that
 * serves one behind a plain URL (a proxy that adds the parameter), and in
 * the files of `analyze` and `import`. The other target keeps being scraped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

/** A loopback proxy that serves the grower's `?seconds=1` delta at a plain /debug/pprof/heap: what a gateway that adds the parameter looks like. */
async function startDeltaProxy(upstream: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    fetchBytes(`${upstream}/debug/pprof/heap?seconds=1`).then(
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

  describe('a target that serves a delta behind a plain URL', () => {
    let proxy: { server: Server; url: string };
    let hw: TestDaemon;
    const outcomes = new Map<string, number>();

    before(async () => {
      proxy = await startDeltaProxy(grower.url);
      hw = await startTestDaemon(
        {
          global: { scrape_interval: '2s', scrape_timeout: '1900ms' },
          targets: [
            { url: `${grower.url}/debug/pprof/heap`, params: { gc: 1 }, labels: { service: 'live' } },
            { url: `${proxy.url}/debug/pprof/heap`, labels: { service: 'delta' } },
          ],
        },
        { onIngested: (i) => outcomes.set(i.target.labels.service!, (outcomes.get(i.target.labels.service!) ?? 0) + 1) },
      );
      const failures = async (service: string): Promise<number> => {
        const body = (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { labels: { service: string }; failures?: number }[] }>();
        return body.targets.find((t) => t.labels.service === service)?.failures ?? 0;
      };
      await waitFor('3 stored scrapes of the live target and 2 refused deltas', async () => (outcomes.get('live') ?? 0) >= 3 && (await failures('delta')) >= 2, 30_000, 250);
    });

    after(async () => {
      await hw?.daemon.stop();
      await new Promise((resolve) => proxy?.server.close(resolve));
    });

    it('says so on the API, and keeps scraping the other target', async () => {
      const body = (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { labels: { service: string }; health: string; last_error: { code: string } | null }[] }>();
      const delta = body.targets.find((t) => t.labels.service === 'delta')!;
      const live = body.targets.find((t) => t.labels.service === 'live')!;
      assert.equal(delta.last_error?.code, 'HW_ERR_PROFILE_DELTA');
      assert.equal(delta.health, 'down');
      assert.equal(live.last_error, null);
      assert.equal(live.health, 'up');
      assert.ok((outcomes.get('live') ?? 0) >= 3);
    });

    it('records each scrape as refused with HW_ERR_PROFILE_DELTA and stores nothing of it', async () => {
      await hw.daemon.stop();
      const db = openDatabase(hw.dbPath);
      try {
        const reader = new StoreReader(db);
        const target = storedTargets(db).find((t) => t.url.startsWith(proxy.url))!;
        const scrapes = reader.scrapes(target.id);
        assert.ok(scrapes.length >= 2);
        assert.deepEqual(new Set(scrapes.map((s) => s.errorCode)), new Set(['HW_ERR_PROFILE_DELTA']));
        assert.ok(scrapes.every((s) => s.outcome === 'error' && s.epochId === null));
        assert.match(scrapes[0]!.errorMessage!, /covers 1\.\d s .*without "seconds"/);
        assert.equal(reader.currentEpoch(target.id), undefined, 'no epoch opened from a delta');
      } finally {
        db.close();
      }
      assert.equal(outcomes.get('delta'), undefined, 'no delta profile reached detection');
    });
  });
});
