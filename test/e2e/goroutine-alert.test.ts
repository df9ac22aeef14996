/**
 * From goroutine leak to alert, with real processes on loopback:
 *
 *   a real Go program (test/fixtures/goroutine, -shape chansend: lookups
 *   that give up leave a goroutine blocked in chan send, ~3 a second)
 *   ─► heapwatch daemon (profiles: [heap, goroutine, goroutineleak]; 1 s
 *      scrapes; scaled-down detector, warm-up off)
 *   ─► real Prometheus with the shipped rules (`for:` shortened in a test
 *      copy, expressions unchanged)
 *   ─► HeapwatchGoroutineLeak fires, naming the function and the blocking frame.
 *
 * The program is a default go1.26 build, so its goroutineleak endpoint
 * answers 404: heapwatch records that once and never asks again.
 * Everything is torn down by PID.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { freePort, waitFor } from '../helpers/daemon.js';
import { buildGoFixture, startReadyProcess, type RunningService } from '../helpers/go-service.js';
import { CLI } from '../helpers/paths.js';
import { startManaged, waitForHttp, type Managed } from '../helpers/processes.js';
import { startPrometheus } from '../helpers/prometheus.js';

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
}

describe('end to end: a goroutine leak fires its alert', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-e2e-g-'));
  const procs: (Managed | RunningService)[] = [];
  let promUrl = '';
  let hwUrl = '';

  const query = async (expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.status, 'success', expr);
    return body.data.result;
  };

  before(async () => {
    const goleak = buildGoFixture('goroutine', './cmd/goleak');
    const leaker = await startReadyProcess(goleak, ['-shape', 'chansend', '-duration', '3m', '-seed', '7'], /^ready pprof=(\S+)/, 30_000);
    procs.push(leaker.service);

    const hwPort = await freePort();
    hwUrl = `http://127.0.0.1:${hwPort}`;
    const hwConfig = join(dir, 'heapwatch.yaml');
    writeFileSync(
      hwConfig,
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '900ms', goroutineleak_interval: '2s' },
        storage: { path: join(dir, 'heapwatch.db') },
        api: { listen: `127.0.0.1:${hwPort}` },
        // A minute-scale window for a test that lasts one: the statistics and signals are the shipped ones.
        detect: { window: '3m', min_window: '20s', min_points: 15, for: '5s', resolve_after: '2m', warmup: '0s' },
        targets: [{ url: `http://${leaker.match[1]!}/debug/pprof/heap`, labels: { service: 'lookup' }, profiles: ['heap', 'goroutine', 'goroutineleak'] }],
      }),
    );
    const hw = startManaged('heapwatch', process.execPath, [CLI, 'run', '--config', hwConfig], join(dir, 'heapwatch.log'));
    procs.push(hw);
    await waitForHttp(`${hwUrl}/readyz`, 30_000, hw);

    const prom = await startPrometheus(dir, hwPort);
    procs.push(prom.proc);
    promUrl = prom.url;
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
  });

  it('fires HeapwatchGoroutineLeak with the function and the blocking frame', async () => {
    let firing: PromAlert | undefined;
    await waitFor(
      'HeapwatchGoroutineLeak firing in Prometheus',
      async () => {
        const res = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } };
        firing = res.data.alerts.find((a) => a.labels.alertname === 'HeapwatchGoroutineLeak' && a.state === 'firing');
        return firing !== undefined;
      },
      120_000,
      500,
    );
    assert.equal(firing!.labels.class, 'goroutine-leak');
    assert.equal(firing!.labels.severity, 'warning');
    assert.equal(firing!.labels.function, 'main.lookupBackend');
    assert.equal(firing!.labels.service, 'lookup');
    assert.equal(firing!.annotations.summary, 'lookup: main.lookupBackend: goroutines blocked in chan send pile up');
    assert.equal(firing!.annotations.runbook_url, 'https://go.dev/issue/74609');
    // No heap alert for this program: its goroutines leak, its heap barely moves.
    const heapAlerts = (await query('ALERTS{alertname=~"HeapwatchLeakClassGrowing|HeapwatchUnclassifiedGrowth", alertstate="firing"}')).length;
    assert.equal(heapAlerts, 0);
  });

  it('exports the goroutine count, and asks for the missing goroutineleak profile only once', async () => {
    const goroutines = await query('heapwatch_target_goroutines{service="lookup", kind="goroutine"}');
    assert.equal(goroutines.length, 1);
    assert.ok(Number(goroutines[0]!.value[1]) > 30, `goroutines ${goroutines[0]!.value[1]}`);
    const unavailable = await query('heapwatch_goroutine_profile_fetches_total{service="lookup", kind="goroutineleak"}');
    assert.deepEqual(
      unavailable.map((r) => [r.metric.outcome, r.value[1]]),
      [['unavailable', '1']],
    );
    const up = await query('heapwatch_target_up{service="lookup"}');
    assert.equal(up[0]?.value[1], '1', 'a 404 of the goroutineleak endpoint does not make the target down');
    const log = readFileSync(join(dir, 'heapwatch.log'), 'utf8');
    assert.equal(log.match(/goroutineleak profile not available/g)?.length, 1);
  });

  it('keeps the finding with its evidence in the API', async () => {
    const res = (await (await fetch(`${hwUrl}/api/v1/findings?state=open`)).json()) as { findings: { class: string; function: string; evidence: Record<string, unknown> }[] };
    const f = res.findings.find((x) => x.class === 'goroutine-leak');
    assert.ok(f, JSON.stringify(res).slice(0, 500));
    assert.equal(f.function, 'main.lookupBackend');
    assert.equal(f.evidence.blocking, 'chan send');
    assert.ok((f.evidence.goroutinesPerHour as number) > 3600, `${String(f.evidence.goroutinesPerHour)}/h`);
  });
});
