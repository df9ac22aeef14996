/**
 * Bad input never takes the daemon or the other targets down: each fault is
 * recorded with its own error code, and the healthy target keeps its schedule.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../src/store/db.js';
import { StoreReader } from '../src/store/reader.js';
import { startDaemon } from '../src/main.js';
import { startHostileServer, TLS_CERT, TLS_OTHER_CA, type HostileServer } from './helpers/hostile-server.js';
import { startTestDaemon, waitFor, type TestDaemon } from './helpers/daemon.js';
import { CLI } from './helpers/paths.js';
import { storedTargets } from './helpers/store-queries.js';

const EXPECTED: Record<string, string> = {
  '/truncated': 'HW_ERR_PROFILE_GZIP',
  '/truncated-raw': 'HW_ERR_PROFILE_MALFORMED',
  '/garbage': 'HW_ERR_PROFILE_MALFORMED',
  '/bomb': 'HW_ERR_DECOMPRESSED_TOO_LARGE',
  '/oversized': 'HW_ERR_BODY_TOO_LARGE',
  '/oversized-chunked': 'HW_ERR_BODY_TOO_LARGE',
  '/status-500': 'HW_ERR_SCRAPE_HTTP_STATUS',
  '/html': 'HW_ERR_NOT_PPROF',
  '/html-octet': 'HW_ERR_NOT_PPROF',
  '/hang': 'HW_ERR_SCRAPE_TIMEOUT',
  '/closed-port': 'HW_ERR_SCRAPE_CONNECT',
  '/slow-drip': 'HW_ERR_SCRAPE_TIMEOUT',
  '/headers-never-end': 'HW_ERR_SCRAPE_TIMEOUT',
  '/reset-mid-body': 'HW_ERR_SCRAPE_RESET',
  '/redirect-other-host': 'HW_ERR_SCRAPE_REDIRECT',
  'tls:/good': 'HW_ERR_SCRAPE_TLS',
  'tls-other-ca:/good': 'HW_ERR_SCRAPE_TLS',
  // A valid profile over a per-target limit (like Prometheus's sample_limit).
  'max-functions:/good': 'HW_ERR_PROFILE_TOO_MANY_FUNCTIONS',
  'max-locations:/good': 'HW_ERR_PROFILE_TOO_MANY_LOCATIONS',
  'max-samples:/good': 'HW_ERR_PROFILE_TOO_MANY_SAMPLES',
};

/** Targets that must keep working next to the bad ones. */
const GOOD = ['/good', '/redirect-same-host', 'tls-insecure:/good', 'tls-ca:/good'];

/** The test's name for a target: its path, prefixed with the TLS variant. */
function nameOf(url: string, labels: Record<string, string>): string {
  return labels.case ?? new URL(url).pathname;
}

describe('bad input and hostile targets', () => {
  let hostile: HostileServer;
  let hostileTls: HostileServer;
  let hw: TestDaemon;
  let goodScrapeTimes: number[] = [];

  before(async () => {
    hostile = await startHostileServer();
    hostileTls = await startHostileServer({ tls: true });
    const target = (name: string): Record<string, unknown> => {
      const [variant, path] = name.includes(':/') ? name.split(':') : ['', name];
      const labels = { service: name === '/good' ? 'good' : name.replace(/\W+/g, '-').replace(/^-|-$/g, ''), case: name };
      if (name === '/closed-port') return { url: 'http://127.0.0.1:9/debug/pprof/heap', labels };
      if (!variant) return { url: `${hostile.url}${path}`, labels };
      if (variant.startsWith('max-')) return { url: `${hostile.url}${path}`, params: { variant }, labels, [variant.replace('-', '_')]: 1 };
      const tls = variant === 'tls-insecure' ? { insecure_skip_verify: true } : variant === 'tls-ca' ? { ca_file: TLS_CERT } : variant === 'tls-other-ca' ? { ca_file: TLS_OTHER_CA } : {};
      // The URL is a target's identity: the variants differ by a query parameter.
      return { url: `${hostileTls.url}${path}`, params: { variant }, labels, tls };
    };
    const targets = [...Object.keys(EXPECTED), ...GOOD].map(target);
    hw = await startTestDaemon(
      {
        global: { scrape_interval: '1s', scrape_timeout: '800ms', max_body_bytes: '1MiB', max_decompressed_bytes: '16MiB', max_concurrent_scrapes: 4 },
        targets,
      },
      {
        onIngested: (i) => {
          if (i.target.labels.service === 'good') goodScrapeTimes.push(Date.now());
        },
      },
    );
    goodScrapeTimes = [];
    await waitFor(
      'every bad target to fail twice and the good one to be scraped 4 times',
      () =>
        goodScrapeTimes.length >= 4 &&
        hw.daemon.manager.status().every((s) => (GOOD.includes(nameOf(s.target.url, s.target.labels)) ? s.scrapes >= 2 : s.failures >= 2)),
      30_000,
    );
  });

  after(async () => {
    await hw?.daemon.stop();
    await hostile?.close();
    await hostileTls?.close();
  });

  it('records each fault with its error code', async () => {
    // Each target's latest outcome, once every one shows what it should: on a
    // loaded machine one good scrape can overrun its 800 ms and read as down
    // for a second. (A target that never shows it fails the checks below,
    // which say which and why.)
    const expected = (s: ReturnType<typeof hw.daemon.manager.status>[number]): boolean => {
      const name = nameOf(s.target.url, s.target.labels);
      return GOOD.includes(name) ? s.health === 'up' : s.health === 'down' && s.lastError?.code === EXPECTED[name];
    };
    await waitFor('every target to show its expected outcome', () => hw.daemon.manager.status().every(expected), 20_000).catch(() => undefined);
    const seen = new Set<string>();
    for (const s of hw.daemon.manager.status()) {
      const name = nameOf(s.target.url, s.target.labels);
      seen.add(name);
      if (GOOD.includes(name)) {
        assert.equal(s.health, 'up', `${name}: ${s.lastError?.message}`);
        continue;
      }
      assert.equal(s.health, 'down', name);
      assert.equal(s.lastError?.code, EXPECTED[name], `${name}: ${s.lastError?.message}`);
      assert.ok(s.lastError!.message.length > 10, 'a readable message');
    }
    assert.equal(seen.size, Object.keys(EXPECTED).length + GOOD.length);
  });

  it('stores failed scrapes with code and message, and keeps the good target on schedule', async () => {
    assert.ok(goodScrapeTimes.length >= 2, `good target scraped ${goodScrapeTimes.length} times`);
    const gaps = goodScrapeTimes.slice(1).map((t, i) => t - goodScrapeTimes[i]!);
    // On schedule: no gap of more than 3 intervals. Waiting behind the bad
    // targets' 800 ms timeouts would be many seconds; a loaded machine's
    // missed tick or two is not.
    assert.ok(Math.max(...gaps) < 3500, `good target gaps ${gaps.join(',')} ms`);
    const res = await hw.daemon.app.inject({ url: '/api/v1/targets' });
    const targets = res.json<{ targets: { url: string; health: string; last_error: { code: string } | null }[] }>().targets;
    assert.equal(targets.find((t) => t.url === `${hostile.url}/good`)!.health, 'up');
    assert.equal(targets.find((t) => t.url.endsWith('/hang'))!.last_error?.code, 'HW_ERR_SCRAPE_TIMEOUT');
    const metrics = await hw.daemon.metrics.exposition();
    // Every fault is counted under its code.
    for (const [name, code] of Object.entries(EXPECTED)) {
      const service = name.replace(/\W+/g, '-').replace(/^-|-$/g, '');
      assert.match(metrics, new RegExp(`heapwatch_scrapes_total\\{target="[^"]+",service="${service}",outcome="error",code="${code}"\\} [1-9]`), name);
    }
    assert.match(metrics, /heapwatch_target_up\{target="http:[^"]+\/good",service="good",instance="[^"]+"\} 1/);
    assert.match(metrics, /heapwatch_target_up\{target="[^"]+\/hang",service="hang",instance="[^"]+"\} 0/);
  });

  it('keeps what was stored before intact', () => {
    const db = openDatabase(hw.dbPath);
    const reader = new StoreReader(db);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const good = storedTargets(db).find((t) => t.url === `${hostile.url}/good`)!;
    assert.ok(reader.scrapes(good.id).filter((s) => s.outcome !== 'error').length >= 2);
    const bomb = storedTargets(db).find((t) => t.url.endsWith('/bomb'))!;
    const last = reader.lastError(bomb.id)!;
    assert.equal(last.errorCode, 'HW_ERR_DECOMPRESSED_TOO_LARGE');
    db.close();
  });

  it('refuses a bad config with a message naming the file, and check-config exits non-zero', async () => {
    const bad = join(hw.dir, 'bad.yml');
    writeFileSync(bad, 'global:\n  scrape_interval: soon\n');
    await assert.rejects(startDaemon(bad, { logLevel: 'silent' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'HW_ERR_CONFIG_INVALID');
      assert.match(err.message, /bad\.yml:2: global\.scrape_interval: expected a positive duration/);
      return true;
    });
    assert.throws(() => execFileSync(process.execPath, [CLI, 'check-config', bad], { stdio: 'pipe' }), (err: { status: number; stderr: Buffer }) => {
      assert.equal(err.status, 1);
      assert.match(err.stderr.toString(), /HW_ERR_CONFIG_INVALID.*bad\.yml:2/);
      return true;
    });
  });
});
