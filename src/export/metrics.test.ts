import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { FunctionGrowth, FunctionsView } from '../store/reader.js';
import type { Target } from '../targets/target.js';
import { HeapwatchMetrics } from '../daemon/metrics.js';

const target = { key: 'http://127.0.0.1:6060/debug/pprof/heap', labels: { service: 'svc', instance: '127.0.0.1:6060' } } as unknown as Target;
const fn = (name: string, delta: number): FunctionGrowth => ({
  name,
  filename: '',
  inuseBytes: 1000 + delta,
  inuseObjects: 1,
  startBytes: 1000,
  startObjects: 1,
  deltaBytes: delta,
  bytesPerHour: delta,
});
const view = (fns: FunctionGrowth[]): FunctionsView => ({ epochId: 1, from: { scrapeId: 1, ts: 0 }, to: { scrapeId: 2, ts: 3_600_000 }, functions: fns });

async function series(m: HeapwatchMetrics, name: string): Promise<string[]> {
  const text = await m.exposition();
  return text.split('\n').filter((l) => l.startsWith(`${name}{`));
}

describe('HeapwatchMetrics', () => {
  it('exports only the top-K growers plus functions with open findings, and counts the rest', async () => {
    const m = new HeapwatchMetrics(new Registry());
    const fns = [fn('a', 50), fn('b', 40), fn('c', 30), fn('d', 0), fn('e', -10), fn('held', -20)];
    m.observeTopFunctions(target, view(fns), 2, new Set(['held']), 6);
    const names = (await series(m, 'heapwatch_function_inuse_bytes')).map((l) => /function="([^"]+)"/.exec(l)![1]);
    assert.deepEqual(names.sort(), ['a', 'b', 'held']);
    assert.match((await series(m, 'heapwatch_function_series_dropped')).join(), /\} 3$/);
    // A function that falls out of the top K loses its series.
    m.observeTopFunctions(target, view([fn('c', 90), fn('a', 80), fn('b', 1)]), 2, new Set(), 3);
    const after = (await series(m, 'heapwatch_function_growth_bytes_per_second')).map((l) => /function="([^"]+)"/.exec(l)![1]);
    assert.deepEqual(after.sort(), ['a', 'c']);
  });

  it('tracks finding series through their lifecycle', async () => {
    const m = new HeapwatchMetrics(new Registry());
    m.registerTarget(target);
    const finding = { key: 'k1', classId: 'server-request-field-held', severity: 'warning', function: 'x.(*Request).FastReadField2', headline: 'server keeps Request field 2 (Kitex)', bytesPerHour: 3600 } as const;
    m.observeFinding(target.key, { type: 'opened', finding: finding as never });
    assert.match((await series(m, 'heapwatch_finding_growth_bytes_per_second')).join(), /service="svc",class="server-request-field-held",severity="warning",function="x\.\(\*Request\)\.FastReadField2",summary="server keeps Request field 2 \(Kitex\)"\} 1$/);
    // An update that changes a label replaces the series instead of adding a second one.
    m.observeFinding(target.key, { type: 'updated', finding: { ...finding, severity: 'critical' } as never });
    const open = await series(m, 'heapwatch_finding_open');
    assert.equal(open.length, 1);
    assert.match(open[0]!, /severity="critical"/);
    m.observeFinding(target.key, { type: 'resolved', finding: { ...finding, severity: 'critical' } as never });
    assert.deepEqual(await series(m, 'heapwatch_finding_open'), []);
    assert.deepEqual(await series(m, 'heapwatch_finding_growth_bytes_per_second'), []);
    assert.match(await m.exposition(), /heapwatch_findings_raised_total\{class="server-request-field-held",severity="warning"\} 1/);
    // Held at info in the warm-up (exported with its class, no alert), then escalated: a warning raised.
    const held = { ...finding, key: 'k2', severity: 'info' } as const;
    m.observeFinding(target.key, { type: 'opened', finding: held as never });
    assert.match((await series(m, 'heapwatch_finding_open')).join(), /class="server-request-field-held",severity="info"/);
    m.observeFinding(target.key, { type: 'updated', finding: { ...held, severity: 'warning' } as never });
    assert.deepEqual((await series(m, 'heapwatch_finding_open')).map((l) => /severity="(\w+)"/.exec(l)![1]), ['warning']);
    assert.match(await m.exposition(), /heapwatch_findings_raised_total\{class="server-request-field-held",severity="warning"\} 2/);
    assert.match(await m.exposition(), /heapwatch_findings_raised_total\{class="server-request-field-held",severity="info"\} 1/);
  });

  it('replaces a target\'s module versions when its process changes, and drops a removed target', async () => {
    const m = new HeapwatchMetrics(new Registry());
    m.observeModules(target, [{ path: 'github.com/cloudwego/netpoll', version: 'v0.2.4' }]);
    m.observeModules(target, [
      { path: 'github.com/cloudwego/netpoll', version: 'v0.2.5' },
      { path: 'golang.org/x/sys', version: 'v0.1.0' }, // not a module the alerts are about: not exported
    ]);
    const mods = await series(m, 'heapwatch_module_info');
    assert.equal(mods.length, 1);
    assert.match(mods[0]!, /version="v0\.2\.5"/);
    m.observeScrape(target, { outcome: 'ok', durationMs: 5 });
    m.removeTarget(target);
    assert.deepEqual(await series(m, 'heapwatch_target_up'), []);
    assert.deepEqual(await series(m, 'heapwatch_module_info'), []);
  });
});
