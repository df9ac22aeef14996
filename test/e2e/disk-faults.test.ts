/**
 * A full disk and a read-only filesystem, caused for real: the database lives
 * on a small tmpfs that the test fills up and remounts read-only. Each fault
 * gives a clear error code, a health metric and an unready /readyz, never a
 * crash; the daemon recovers by itself when the fault goes away, and nothing
 * stored before is damaged. (Needs root for mount, as CI has.)
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { freePort, startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { startManaged, waitForHttp } from '../helpers/processes.js';
import { loadSeries, startProfileServer, type ProfileServer } from '../helpers/profile-server.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'hw-disk-'));

function mount(...args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

describe('disk faults', () => {
  let port = 0;
  let fleet: ProfileServer;
  let hw: TestDaemon;
  let stored = 0;

  before(async () => {
    mount('-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mountPoint);
    const series = ['leak-server-request-field', 'trap-warmup', 'leak-unclassified', 'trap-sawtooth'].map((s) => loadSeries(join(FIXTURES, 'corpus', s, 'profiles')));
    fleet = await startProfileServer((n) => series[n % series.length]!);
    hw = await startTestDaemon(
      {
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        api: { listen: `127.0.0.1:${(port = await freePort())}` },
        storage: { path: join(mountPoint, 'heapwatch.db'), keep_latest_profiles: 2, open_retry_interval: '500ms' },
        targets: [0, 1, 2, 3].map((n) => ({ url: fleet.targetUrl(n) })),
      },
      { onIngested: () => stored++ },
    );
    await waitFor('some scrapes stored', () => stored >= 8, 30_000);
  });

  after(async () => {
    await hw?.daemon.stop().catch(() => undefined);
    await fleet?.close();
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      // Already unmounted.
    }
  });

  const storeErrors = (): number => hw.daemon.manager.status().filter((s) => s.lastError?.code === 'HW_ERR_STORE_WRITE').length;
  const metric = async (name: string): Promise<string> => {
    const text = await hw.daemon.metrics.exposition();
    return text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  };
  const ready = async (): Promise<number> => (await hw.daemon.app.inject({ url: '/readyz' })).statusCode;

  it('a full disk: clear error, health metric, unready, alive, then recovery', async () => {
    const filler = join(mountPoint, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (let i = 0; i < 1024; i++) writeSync(fd, chunk); // bounded: 64 MiB > the 12 MiB filesystem
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }
    await waitFor('scrapes failing with HW_ERR_STORE_WRITE', () => storeErrors() >= 2, 30_000);
    const failing = hw.daemon.manager.status().find((s) => s.lastError?.code === 'HW_ERR_STORE_WRITE')!;
    assert.match(failing.lastError!.message, /cannot write to the database: .*(full|disk)/i);
    assert.equal(await metric('heapwatch_store_healthy'), 'heapwatch_store_healthy 0');
    assert.match(await hw.daemon.metrics.exposition(), /heapwatch_store_write_errors_total\{code="HW_ERR_STORE_WRITE"\} [1-9]/);
    assert.equal(await ready(), 503);
    assert.equal((await hw.daemon.app.inject({ url: '/healthz' })).statusCode, 200);

    rmSync(filler);
    const before = stored;
    await waitFor('writes to succeed again', () => stored >= before + 4, 30_000);
    assert.equal(await metric('heapwatch_store_healthy'), 'heapwatch_store_healthy 1');
    assert.equal(await ready(), 200);
  });

  it('a read-only database at start-up: up and unready, no crash loop, then starts when writable', async () => {
    await hw.daemon.stop();
    mount('-o', 'remount,ro', mountPoint);
    const log = join(tmpdir(), `hw-ro-${process.pid}.log`);
    // Same config, same port: the test daemon's address is free again.
    const child = startManaged('heapwatch', process.execPath, [CLI, 'run', '--config', hw.configPath], log);
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForHttp(`${base}/healthz`, 20_000, child);
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      assert.match(await (await fetch(`${base}/metrics`)).text(), /^heapwatch_store_healthy 0$/m);
      assert.match(child.log(), /HW_ERR_STORE_OPEN.*(read-only|EROFS)/i);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(child.child.exitCode, null, 'still running after several retries');
      mount('-o', 'remount,rw', mountPoint);
      await waitForHttp(`${base}/readyz`, 20_000, child);
      // A cold pipeline (decoder start, the next cron slot, four decodes on one
      // thread): polled for up to 30 s, not a fixed count of tries.
      let up = 0;
      await waitFor(
        'every target up after the database came back',
        async () => {
          const body = (await (await fetch(`${base}/api/v1/targets`)).json()) as { targets: { health: string }[] };
          up = body.targets.filter((t) => t.health === 'up').length;
          return up === 4;
        },
        30_000,
        250,
      ).catch(() => undefined);
      assert.equal(up, 4, 'every target scraped and stored after the database came back');
    } finally {
      await child.stop();
      try {
        mount('-o', 'remount,rw', mountPoint);
      } catch {
        // Already read-write.
      }
    }
  });

  it('damaged nothing that was stored before', () => {
    const db = new Database(join(mountPoint, 'heapwatch.db'), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const ok = db.prepare(`SELECT COUNT(*) FROM scrapes WHERE outcome IN ('ok', 'stale')`).pluck().get() as number;
      assert.ok(ok >= 16, `${ok} scrapes stored`);
    } finally {
      db.close();
    }
  });
});
