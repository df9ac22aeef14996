/**
 * From leak to page, with real processes on loopback:
 *
 *   Kitex server that keeps a Request field (real Kitex v0.16, real load)
 *   + a recorded netpoll v0.2.4 service       ─► heapwatch daemon (1 s scrapes, scaled-down detector)
 *   ─► real Prometheus (the shipped alert rules; `for:` shortened in a test copy, expressions unchanged)
 *   ─► real Alertmanager (the shipped routing; receivers pointed at this test's webhook)
 *   ─► the page: class, severity and runbook link asserted.
 *
 * Then every dashboard query, with its variables filled in, must return data
 * from that Prometheus. Everything is torn down by PID.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { requireBinary } from '../helpers/binaries.js';
import { dashboardQueries } from '../helpers/dashboards.js';
import { freePort, waitFor } from '../helpers/daemon.js';
import { buildGoFixture, startReadyProcess, type RunningService } from '../helpers/go-service.js';
import { CLI, FIXTURES, ROOT } from '../helpers/paths.js';
import { startManaged, waitForHttp, type Managed } from '../helpers/processes.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { loadSeries, startProfileServer, type ProfileServer } from '../helpers/profile-server.js';
import { startWebhook, type Webhook } from '../helpers/webhook.js';

interface Route {
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

describe('end to end: a leak pages on-call', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-e2e-'));
  const procs: (Managed | RunningService)[] = [];
  let webhook: Webhook;
  let recorded: ProfileServer;
  let promUrl = '';
  let leakTarget = '';

  before(async () => {
    const alertmanager = requireBinary('prometheus-alertmanager', 'apt-get install prometheus-alertmanager');

    // 1. The leaking Kitex service and its load generator.
    const kitexleak = buildGoFixture('kitex', './cmd/kitexleak');
    const ready = /^ready pprof=(\S+) rpc=(\S+)/;
    const server = await startReadyProcess(kitexleak, ['-role', 'server', '-mode', 'holdreq', '-noise-mb', '8', '-duration', '9m', '-seed', '11'], ready, 30_000);
    procs.push(server.service);
    // The load generator prints no ready line: it just calls the server until stopped.
    procs.push(
      startManaged(
        'load',
        kitexleak,
        ['-role', 'load', '-mode', 'steady', '-target', server.match[2]!, '-qps', '140', '-conc', '8', '-msg', '3000-8000', '-payload', '256-2048', '-duration', '9m', '-seed', '12'],
        join(dir, 'load.log'),
      ),
    );
    // 2. A recorded real profile series of a Kitex v0.3.2 / netpoll v0.2.4 service.
    recorded = await startProfileServer(() => loadSeries(join(FIXTURES, 'corpus', 'info-netpoll-v024-quiet', 'profiles')));

    // 3. heapwatch, as users run it.
    const hwPort = await freePort();
    leakTarget = `http://${server.match[1]!}/debug/pprof/heap?gc=1`;
    const hwConfig = join(dir, 'heapwatch.yaml');
    writeFileSync(
      hwConfig,
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        storage: { path: join(dir, 'heapwatch.db') },
        api: { listen: `127.0.0.1:${hwPort}` },
        // warmup 0s: the leaking process is seconds old, and the test wants the
        // warning, not the info finding a default 1 h warm-up hold would give.
        detect: { window: '3m', min_window: '20s', min_points: 15, for: '5s', resolve_after: '2m', min_growth_bytes: '2MiB', warmup: '0s' },
        targets: [
          // Goroutine profiles too: the dashboards' goroutine panels must have data.
          { url: `http://${server.match[1]!}/debug/pprof/heap`, params: { gc: 1 }, labels: { service: 'payments' }, profiles: ['heap', 'goroutine'] },
          { url: recorded.targetUrl(0), labels: { service: 'legacy' } },
        ],
      }),
    );
    const hw = startManaged('heapwatch', process.execPath, [CLI, 'run', '--config', hwConfig], join(dir, 'heapwatch.log'));
    procs.push(hw);
    await waitForHttp(`http://127.0.0.1:${hwPort}/readyz`, 30_000, hw);

    // 4. The receiver, and Alertmanager with the shipped routing pointed at it.
    webhook = await startWebhook();
    const am = parse(readFileSync(join(ROOT, 'config/alertmanager/alertmanager.yml'), 'utf8')) as {
      route: Route;
      receivers: { name: string; webhook_configs?: { url: string }[] }[];
    };
    for (const r of am.receivers) for (const w of r.webhook_configs ?? []) w.url = `${webhook.url}/${r.name}`;
    const fast = (route: Route): void => {
      route.group_wait = '1s';
      route.group_interval = '1s';
      for (const child of route.routes ?? []) fast(child);
    };
    fast(am.route);
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(am));
    const amPort = await freePort();
    const amProc = startManaged(
      'alertmanager',
      alertmanager,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='],
      join(dir, 'alertmanager.log'),
    );
    procs.push(amProc);
    await waitForHttp(`http://127.0.0.1:${amPort}/-/ready`, 30_000, amProc);

    // 5. Prometheus with the shipped rules; only `for:` is shortened.
    const prom = await startPrometheus(dir, hwPort, amPort);
    procs.push(prom.proc);
    promUrl = prom.url;
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop().catch(() => undefined);
    await webhook?.close();
    await recorded?.close();
  });

  it('pages with the leak class, its severity and the runbook link', async () => {
    await waitFor(
      'the leak-class page at the webhook',
      () => webhook.alerts.some((a) => a.status === 'firing' && a.labels.class === 'server-request-field-held'),
      240_000,
      500,
    );
    const page = webhook.alerts.find((a) => a.status === 'firing' && a.labels.class === 'server-request-field-held')!;
    assert.equal(page.labels.alertname, 'HeapwatchLeakClassGrowing');
    assert.equal(page.labels.severity, 'warning');
    assert.equal(page.path, '/team', 'warnings route to the team receiver');
    assert.equal(page.annotations.runbook_url, 'https://www.cloudwego.io/docs/kitex/best-practice/self_check/mem_leak_self_check/#holding-onto-a-field-of-request-object-persistently');
    assert.match(page.annotations.summary ?? '', /^payments: server keeps Request field 2 \(Kitex\), growing [\d.]+[kMG]?B\/h$/);
    assert.match(page.annotations.description ?? '', /IDL/);
  });

  it('pages for the vulnerable netpoll version of the legacy service', async () => {
    const netpoll = (a: Webhook['alerts'][number]): boolean =>
      a.labels.alertname === 'HeapwatchVulnerableModule' && a.labels.module === 'github.com/cloudwego/netpoll';
    await waitFor('the vulnerable-module alert', () => webhook.alerts.some(netpoll), 60_000, 500);
    const a = webhook.alerts.find(netpoll)!;
    assert.equal(a.labels.version, 'v0.2.4');
    assert.equal(a.labels.service, 'legacy');
    assert.equal(a.labels.severity, 'warning');
    // Nothing about the payments service (Kitex v0.16.3, netpoll v0.7.2) is called vulnerable.
    assert.ok(!webhook.alerts.some((x) => x.labels.alertname === 'HeapwatchVulnerableModule' && x.labels.service === 'payments'));
  });

  it('every dashboard query returns data from the real Prometheus', async () => {
    const queries = dashboardQueries({ class: 'server-request-field-held' });
    assert.ok(queries.length >= 30, `${queries.length} queries`);
    const empty: string[] = [];
    for (const q of queries) {
      const res = await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: q.expr }).toString()}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: unknown[] } };
      assert.equal(body.status, 'success', `${q.dashboard} / ${q.panel}: ${body.error} (${q.expr})`);
      if ((body.data?.result.length ?? 0) === 0) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    assert.deepEqual(empty, [], 'queries without data');
    // The payments service's own view filters down to it and still has data.
    const scoped = dashboardQueries({ service: 'payments', target: leakTarget, class: 'server-request-field-held' }).filter((q) => q.dashboard === 'heapwatch-target');
    const perTarget = scoped.filter((x) => /inuse|finding_open/.test(x.expr));
    assert.ok(perTarget.length >= 3, `${perTarget.length} per-target inuse/finding queries`);
    for (const q of perTarget) {
      const body = (await (await fetch(`${promUrl}/api/v1/query?${new URLSearchParams({ query: q.expr }).toString()}`)).json()) as { data: { result: unknown[] } };
      assert.ok(body.data.result.length > 0, `${q.panel}: ${q.expr}`);
    }
  });
});
