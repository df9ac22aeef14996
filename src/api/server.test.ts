/**
 * The API through fastify's inject (no socket): the not-ready mode while the
 * database is not open, the target list from a real in-memory store, the
 * token check and the error shape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { parseConfig } from '../config/load.js';
import { HeapwatchMetrics } from '../daemon/metrics.js';
import type { TargetStatus } from '../scrape/manager.js';
import { openDatabase } from '../store/db.js';
import { FindingStore } from '../store/findings.js';
import { StoreReader } from '../store/reader.js';
import { StoreWriter } from '../store/writer.js';
import { staticTargets } from '../targets/build.js';
import { findingRoutes } from './findings.js';
import { buildServer } from './server.js';

const TOKEN = 'api-token-0123456789abcdef';

function storeWithOneTarget() {
  const db = openDatabase(':memory:');
  const [target] = staticTargets(parseConfig('targets: [{ url: "http://127.0.0.1:1/debug/pprof/heap", labels: { service: api-test } }]', 'test.yml'));
  const id = new StoreWriter(db, { keyframeEvery: 4, keepLatestProfiles: 1 }).registerTarget(target!);
  const status: TargetStatus = { target: target!, health: 'unknown', lastOutcome: null, lastScrapeAt: null, lastDurationMs: null, lastError: null, scrapes: 0, failures: 0, skipped: 0, nextDueAt: 0 };
  return { db, id, status, reader: new StoreReader(db), findings: new FindingStore(db) };
}

describe('API', () => {
  it('answers /healthz and /metrics but not /readyz or the data routes while the database is not open', async () => {
    const app = buildServer({
      reader: () => undefined,
      targets: () => [],
      metrics: new HeapwatchMetrics(new Registry()),
      ready: () => false,
      notReadyReason: () => 'database unavailable',
    });
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    const ready = await app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'not ready', reason: 'database unavailable' });
    const metrics = await app.inject({ url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /^heapwatch_store_healthy 1$/m);
    const targets = await app.inject({ url: '/api/v1/targets' });
    assert.equal(targets.statusCode, 503);
    assert.deepEqual(targets.json(), { code: 'HW_ERR_NOT_READY', message: 'not ready: the database is not open' });
  });

  it('lists targets with their stored id, and says which target is missing', async () => {
    const s = storeWithOneTarget();
    const app = buildServer({ reader: s.reader, targets: () => [s.status], metrics: new HeapwatchMetrics(new Registry()), ready: () => true, plugins: [findingRoutes(s.findings, s.reader)] });
    assert.deepEqual((await app.inject({ url: '/readyz' })).json(), { status: 'ready' });
    const body = (await app.inject({ url: '/api/v1/targets' })).json<{ targets: { id: number; labels: { service: string }; health: string; last_error: unknown }[] }>();
    assert.equal(body.targets.length, 1);
    assert.equal(body.targets[0]!.id, s.id);
    assert.equal(body.targets[0]!.labels.service, 'api-test');
    assert.equal(body.targets[0]!.health, 'unknown');
    assert.equal(body.targets[0]!.last_error, null);
    assert.ok(!('detect' in body.targets[0]!), 'a target without its own detect settings shows none');
    // A target's own detect settings, durations in seconds.
    const own = { ...s.status, target: { ...s.status.target, detect: { warmup: 0, horizons: [12 * 3_600_000], min_growth_bytes: 8 << 20 } } };
    const withOwn = buildServer({ reader: s.reader, targets: () => [own], metrics: new HeapwatchMetrics(new Registry()), ready: () => true });
    assert.deepEqual((await withOwn.inject({ url: '/api/v1/targets' })).json<{ targets: { detect: unknown }[] }>().targets[0]!.detect, { warmup_seconds: 0, horizons_seconds: [43_200], min_growth_bytes: 8 << 20 });
    const missing = await app.inject({ url: '/api/v1/targets/9999/functions' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { code: 'HW_ERR_NOT_FOUND', message: 'not found: target 9999' });
    const bad = await app.inject({ url: `/api/v1/targets/${s.id}/functions?sort=sideways` });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json<{ code: string }>().code, 'HW_ERR_BAD_REQUEST');
    assert.deepEqual((await app.inject({ url: `/api/v1/targets/${s.id}/findings` })).json(), { findings: [] });
    s.db.close();
  });

  it('asks for the token on the API, and leaves /metrics and the probes open as configured', async () => {
    const s = storeWithOneTarget();
    const app = buildServer({
      reader: s.reader,
      targets: () => [s.status],
      metrics: new HeapwatchMetrics(new Registry()),
      ready: () => true,
      auth: { token: TOKEN, metricsOpen: true, healthOpen: false },
    });
    const denied = await app.inject({ url: '/api/v1/targets' });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['www-authenticate'], 'Bearer');
    assert.equal((await app.inject({ url: '/api/v1/targets', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200);
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 401);
    s.db.close();
  });
});
