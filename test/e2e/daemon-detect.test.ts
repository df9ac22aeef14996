/**
 * The daemon runs the detectors after each scrape: a real leaking Go service,
 * detector windows scaled down by config, and the finding shows up in SQLite,
 * the API and /metrics. A daemon restart keeps the open finding and does not
 * duplicate it. A second daemon with the default 1-hour warm-up holds the
 * same growth (the service is seconds old) as an `info` finding of its class.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDaemon } from '../../src/main.js';
import { buildGoFixture, startGoService, type RunningService } from '../helpers/go-service.js';
import { startTestDaemon, waitFor, type TestDaemon } from '../helpers/daemon.js';

const FAST_DETECT = { window: '3m', min_window: '20s', min_points: 12, for: '5s', resolve_after: '1m', min_growth_bytes: '2MiB', warmup: '0s' };

describe('daemon detection', () => {
  let service: RunningService;
  let hw: TestDaemon;
  let warming: TestDaemon;
  const opened: { key: string; cls: string; fn: string }[] = [];
  const held: { cls: string; fn: string; severity: string }[] = [];
  // Every finding event of the first daemon, for a timeout to say what it saw instead.
  const seen: string[] = [];

  before(async () => {
    service = await startGoService(buildGoFixture('go/scenarios'), ['-mode', 'leak', '-background', '16']);
    // The global warm-up holds, as the second daemon's does; the target's
    // own detect settings switch it off for this target (README: Per-target
    // detection settings), so this daemon warns where the other holds.
    hw = await startTestDaemon(
      {
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        detect: { ...FAST_DETECT, warmup: '1h' },
        export: { top_functions: 5 },
        targets: [{ url: `${service.url}/debug/pprof/heap`, params: { gc: 1 }, labels: { service: 'sessions' }, detect: { warmup: '0s' } }],
      },
      {
        onFinding: (key, e) => {
          seen.push(`${e.type} ${e.finding.severity} ${e.finding.classId} ${e.finding.function}: ${e.finding.headline}`);
          if (e.type === 'opened') opened.push({ key, cls: e.finding.classId, fn: e.finding.function });
        },
      },
    );
    warming = await startTestDaemon(
      {
        global: { scrape_interval: '1s', scrape_timeout: '900ms' },
        detect: { ...FAST_DETECT, warmup: '1h' },
        targets: [{ url: `${service.url}/debug/pprof/heap`, params: { gc: 1 }, labels: { service: 'sessions' } }],
      },
      { onFinding: (_key, e) => e.type === 'opened' && held.push({ cls: e.finding.classId, fn: e.finding.function, severity: e.finding.severity }) },
    );
    // The warning, not just any finding: on a loaded machine a stretch of
    // late scrapes can make the linear leak look like it slows down, which
    // first opens an info `cache-filling` finding that escalates once the
    // slowing stops (docs/detection.md), a window (3 minutes) or two
    // later: usually the warning comes within 30 s, and the bound allows
    // for that path. A timeout names the findings it saw and what the
    // scrapes did, so that it says why.
    await waitFor(
      'a warning for the leaking function',
      () => opened.some((o) => o.fn === 'main.(*sessionStore).remember' && o.cls === 'unclassified-growth'),
      240_000,
      250,
    ).catch((e: Error) => {
      const scrapes = hw.daemon.manager.status().map(({ target: _target, ...loop }) => JSON.stringify(loop));
      throw new Error(`${e.message}; finding events: ${JSON.stringify(seen.slice(-20))}; scrapes: ${scrapes.join(' ')}`);
    });
    await waitFor('the held info finding', () => held.some((o) => o.fn === 'main.(*sessionStore).remember' && o.cls === 'unclassified-growth'), 90_000, 250);
  });

  after(async () => {
    await warming?.daemon.stop().catch(() => undefined);
    await hw?.daemon.stop().catch(() => undefined);
    await service?.stop();
  });

  it('raises an unclassified-growth finding naming the allocating function', () => {
    const f = opened.find((o) => o.fn === 'main.(*sessionStore).remember' && o.cls !== 'cache-filling')!;
    assert.equal(f.cls, 'unclassified-growth');
  });

  it("raises it under the target's own warm-up (0s) where the global one (1h) holds, and shows that setting in the targets API", async () => {
    const targets = (await hw.daemon.app.inject({ url: '/api/v1/targets' })).json<{ targets: { detect?: Record<string, number> }[] }>().targets;
    assert.deepEqual(targets[0]!.detect, { warmup_seconds: 0 });
    assert.ok(opened.some((o) => o.fn === 'main.(*sessionStore).remember' && o.cls === 'unclassified-growth'));
  });

  it('serves it from the findings API with its stack and remediation', async () => {
    const res = await hw.daemon.app.inject({ url: '/api/v1/findings?state=open' });
    assert.equal(res.statusCode, 200);
    const list = res.json<{ findings: { id: number; target_id: number; class: string; function: string; stack: string[]; service: string; bytes_per_hour: number; remediation: string }[] }>().findings;
    const f = list.find((x) => x.function === 'main.(*sessionStore).remember' && x.class === 'unclassified-growth')!;
    assert.ok(f, JSON.stringify(list.map((x) => x.function)));
    assert.equal(f.service, 'sessions');
    assert.equal(f.stack[0], 'main.(*sessionStore).remember');
    assert.ok(f.bytes_per_hour > 100e6, `a leak of ~0.8 MB/s is ${f.bytes_per_hour} B/h`);
    assert.match(f.remediation, /allocation site/);
    const byTarget = await hw.daemon.app.inject({ url: `/api/v1/targets/${f.target_id}/findings` });
    assert.ok(byTarget.json<{ findings: { id: number }[] }>().findings.some((x) => x.id === f.id));
    const missing = await hw.daemon.app.inject({ url: '/api/v1/targets/9999/findings' });
    assert.equal(missing.statusCode, 404);
  });

  it('exports the finding and the top growing functions as metrics', async () => {
    const text = await hw.daemon.metrics.exposition();
    assert.match(text, /heapwatch_finding_open\{target="[^"]+",service="sessions",class="unclassified-growth",severity="warning",function="main\.\(\*sessionStore\)\.remember",summary="main\.\(\*sessionStore\)\.remember keeps allocating memory that stays in use"\} 1/);
    assert.match(text, /heapwatch_finding_growth_bytes_per_second\{[^}]*class="unclassified-growth"[^}]*\} \d+/);
    assert.match(text, /heapwatch_function_inuse_bytes\{target="[^"]+",service="sessions",function="main\.\(\*sessionStore\)\.remember"\} [1-9]/);
    assert.match(text, /heapwatch_function_series_dropped\{target="[^"]+",service="sessions"\} \d+/);
    const perTarget = text.split('\n').filter((l) => l.startsWith('heapwatch_function_inuse_bytes{'));
    assert.ok(perTarget.length <= 5 + 2, `bounded cardinality: ${perTarget.length} function series`);
  });

  it('in the process warm-up, serves the growth as an info finding with its class, why it is held and until when; never a paging severity', async () => {
    // Opened at this site: the held leak finding, at info, and nothing at a paging severity. A
    // starved service leaks more slowly for a while (the CI machine runs the suite in parallel),
    // which reads as slowing and turns the site into an info `cache-filling` finding; once the
    // growth is steady again for `for`, the held finding is back (docs/detection.md). So the
    // open finding is awaited, not read once.
    const openedHere = () => held.filter((o) => o.fn === 'main.(*sessionStore).remember').map((o) => [o.cls, o.severity]);
    assert.ok(openedHere().some(([cls]) => cls === 'unclassified-growth'), JSON.stringify(openedHere()));
    type Open = { class: string; severity: string; function: string; bytes_per_hour: number; summary: string; evidence: { hold?: { reason: string; until: string } } };
    let here: Open[] = [];
    await waitFor(
      'the held finding open at the site',
      async () => {
        const res = await warming.daemon.app.inject({ url: '/api/v1/findings?state=open' });
        here = res.json<{ findings: Open[] }>().findings.filter((x) => x.function === 'main.(*sessionStore).remember');
        return here.length === 1 && here[0]!.class === 'unclassified-growth';
      },
      60_000,
      250,
    ).catch((e: Error) => assert.fail(`${e.message}: open ${JSON.stringify(here.map((x) => [x.class, x.severity]))}, opened ${JSON.stringify(openedHere())}`));
    assert.ok(
      openedHere().every(([cls, severity]) => (cls === 'unclassified-growth' || cls === 'cache-filling') && severity === 'info'),
      JSON.stringify(openedHere()),
    );
    const f = here[0]!;
    assert.equal(f.class, 'unclassified-growth');
    assert.equal(f.severity, 'info');
    assert.ok(f.bytes_per_hour > 100e6, `${f.bytes_per_hour} B/h`);
    assert.match(f.evidence.hold?.reason ?? '', /held at info until the process is 60 min old .*a warm-up cache fill looks the same/);
    assert.ok(Date.parse(f.evidence.hold!.until) > Date.now(), f.evidence.hold!.until);
    assert.match(f.summary, /held at info until the process is 60 min old/);
    const text = await warming.daemon.metrics.exposition();
    assert.match(text, /heapwatch_finding_open\{[^}]*class="unclassified-growth",severity="info",function="main\.\(\*sessionStore\)\.remember"[^}]*\} 1/);
    assert.doesNotMatch(text, /heapwatch_finding_open\{[^}]*severity="(warning|critical)"/);
  });

  it('keeps the open finding across a daemon restart without duplicating it', async () => {
    const before = hw.daemon.findings.list('all').length;
    await hw.daemon.stop();
    const events: string[] = [];
    let scrapes = 0;
    let scrapesAtFirstEvent = -1;
    const again = await startDaemon(hw.configPath, {
      logLevel: 'silent',
      onIngested: () => scrapes++,
      onFinding: (_k, e) => {
        if (scrapesAtFirstEvent < 0) scrapesAtFirstEvent = scrapes;
        events.push(e.type);
      },
    });
    try {
      await waitFor('an update of the restored finding', () => events.includes('updated') || events.includes('opened'), 60_000, 250);
      // The window was restored from SQLite: detection resumes at once
      // instead of after another min_window (20 s) of fresh scrapes.
      assert.ok(scrapesAtFirstEvent <= 3, `first finding event after ${scrapesAtFirstEvent} scrapes`);
      assert.equal(events[0], 'updated');
      assert.ok(!events.includes('resolved'));
      const all = again.findings.list('all');
      const remember = all.filter((f) => f.function === 'main.(*sessionStore).remember' && f.classId === 'unclassified-growth');
      assert.equal(remember.length, 1, 'one finding, updated, not a second one');
      assert.equal(remember[0]!.state, 'open');
      assert.ok(all.length >= before);
      assert.ok(!events.includes('opened') || all.length === before, 'no duplicate opened');
    } finally {
      await again.stop();
    }
  });
});
