/**
 * The whole /metrics exposition (prom-client's registry plus the cached
 * per-target families) is valid for Prometheus' own parser and linter, with
 * hostile label values, and every family appears exactly once.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HeapwatchMetrics } from '../src/daemon/metrics.js';
import type { FunctionsView } from '../src/store/reader.js';
import type { Target } from '../src/targets/target.js';
import { requireBinary } from './helpers/binaries.js';

function fleetMetrics(targets: number): HeapwatchMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'heapwatch_' });
  const m = new HeapwatchMetrics(registry);
  for (let i = 0; i < targets; i++) {
    const target = { key: `http://127.0.0.1:${7000 + i}/debug/pprof/heap?x="q"\\`, labels: { service: `svc\n${i % 7}`, instance: `127.0.0.1:${7000 + i}` } } as unknown as Target;
    m.registerTarget(target);
    m.observeScrape(target, { outcome: 'ok', durationMs: 12, bodyBytes: 30_000 });
    m.observeScrape(target, { outcome: 'error', code: 'HW_ERR_TIMEOUT', durationMs: 10_000 });
    m.observeInuse(target, 1e8 + i, 1e5);
    m.observeModules(target, [{ path: 'github.com/cloudwego/kitex', version: 'v0.16.3' }]);
    const functions = Array.from({ length: 12 }, (_, j) => ({
      name: `main.(*T[go.shape.int]).F${j}`,
      filename: '',
      inuseBytes: j * 1000,
      inuseObjects: j,
      startBytes: 0,
      startObjects: 0,
      deltaBytes: 12 - j,
      bytesPerHour: 36 * j,
    }));
    const view: FunctionsView = { epochId: 1, from: { scrapeId: 1, ts: 0 }, to: { scrapeId: 2, ts: 1 }, functions };
    m.observeTopFunctions(target, view, 10, new Set(), functions.length);
    m.observeFinding(target.key, {
      type: 'opened',
      finding: { classId: 'server-request-field-held', severity: 'warning', function: 'x.F', headline: 'server keeps "Request" field 2', bytesPerHour: 3600 } as never,
    });
  }
  m.skipped.inc({ target: 'http://127.0.0.1:7000/debug/pprof/heap?x="q"\\', service: 'svc\n0' });
  return m;
}

describe('/metrics exposition', () => {
  it('passes promtool check metrics, with each family once', async () => {
    const promtool = requireBinary('promtool', 'apt-get install prometheus (CI: .ci/run)');
    const m = fleetMetrics(50);
    const text = await m.exposition();
    const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // A parse error fails outright; of the lint findings, only prom-client's own
    // process gauges named *_total are tolerated (they are not heapwatch's to rename).
    const problems = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '');
    const foreign = problems.filter((l) => !/^heapwatch_nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(l));
    assert.deepEqual(foreign, [], `promtool check metrics:\n${problems.join('\n')}`);
    assert.ok(run.status === 0 || problems.length > 0, `promtool exited ${run.status} without saying why`);
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    const names = types.map((l) => l.split(' ')[2]);
    assert.equal(new Set(names).size, names.length, 'a family appears twice');
    for (const { name } of m.metricNames()) assert.ok(names.includes(name), `${name} missing from the exposition`);
    // 50 targets x 10 exported functions, each once.
    assert.equal(text.split('\n').filter((l) => l.startsWith('heapwatch_function_inuse_bytes{')).length, 500);
  });

  it('drops every series of a removed target and keeps the others', async () => {
    const m = fleetMetrics(3);
    const gone = { key: 'http://127.0.0.1:7001/debug/pprof/heap?x="q"\\', labels: { service: 'svc\n1' } } as unknown as Target;
    m.removeTarget(gone);
    const text = await m.exposition();
    assert.ok(!text.includes(':7001/'), 'a removed target still has series');
    assert.ok(text.includes(':7002/'));
    assert.match(text, /heapwatch_scrape_skipped_total\{target="http:\/\/127\.0\.0\.1:7000\/debug\/pprof\/heap\?x=\\"q\\"\\\\",service="svc\\n0"\} 1\n/);
  });
});
