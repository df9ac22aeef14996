/**
 * The goroutine-leak detector against the labelled goroutine corpus
 * (test/fixtures/goroutine-corpus: real Go programs built with go1.26.8 and
 * go1.27.3, a real Kitex v0.16.3 server), replayed through `heapwatch
 * analyze`'s engine with the shipped defaults. Issue 14's targets: precision
 * and recall >= 0.95 on goroutine series, no warning on a healthy one, and
 * findings that name the blocking frame, the function, the start function
 * and the rate; a pile in Go's goroutineleak profile is reported as proven,
 * critical once it grows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from '../src/detect/params.js';
import type { GoroutineEvidence } from '../src/detect/goroutine.js';
import { expectedClasses } from './eval/corpus.js';
import { evaluateGoroutineCorpus, goroutineManifest, renderGoroutineScore } from './eval/goroutine.js';

describe('goroutine corpus', () => {
  const score = evaluateGoroutineCorpus(DEFAULT_DETECT_PARAMS);
  const byName = (name: string) => {
    const s = score.series.find((x) => x.manifest.scenario === name);
    assert.ok(s, `no series ${name}`);
    return s;
  };
  const evidence = (name: string, fn: string): GoroutineEvidence => {
    const f = byName(name).alerts.find((a) => a.function === fn);
    assert.ok(f, `${name}: no finding for ${fn} (${byName(name).alerts.map((a) => a.function).join(', ')})`);
    return f.evidence as GoroutineEvidence;
  };

  it('prints the evaluation table', () => {
    process.stdout.write(`\n${renderGoroutineScore(score)}\n\n`);
    assert.equal(score.series.length, 30);
  });

  it('covers every leak shape and healthy shape with goroutine series and both toolchains\' goroutineleak series', () => {
    const kinds = new Set(score.series.map((s) => `${goroutineManifest(s).profile_kind} ${goroutineManifest(s).toolchain.split(' ')[0]}`));
    assert.deepEqual([...kinds].sort(), ['goroutine go1.26.8', 'goroutineleak go1.26.8', 'goroutineleak go1.27.3']);
    for (const shape of ['chan-send', 'select-no-cancel', 'forgotten-unlock', 'http-body-unclosed', 'kitex-handler-chan-recv']) {
      assert.deepEqual(expectedClasses(byName(`leak-${shape}`).manifest), ['goroutine-leak'], shape);
    }
    for (const shape of ['worker-pool', 'goroutine-bursts', 'conn-handlers', 'cancel-sawtooth']) assert.ok(byName(`trap-${shape}`).manifest.trap, shape);
  });

  it('precision >= 0.95 and recall >= 0.95 (issue 14)', () => {
    assert.ok(score.precision >= 0.95, `precision ${score.precision}`);
    assert.ok(score.recall >= 0.95, `recall ${score.recall}`);
  });

  it('raises no warning or critical finding on a healthy series (pool plateau, bursts, connection handlers, sawtooth) nor on an empty goroutineleak series', () => {
    for (const s of score.series.filter((x) => x.leaks.length === 0)) {
      assert.deepEqual(
        s.alerts.map((f) => `${f.classId} ${f.function}`),
        [],
        s.manifest.scenario,
      );
    }
    assert.equal(score.trapAlerts, 0);
  });

  it('names the blocking frame, the function, the start function and the rate', () => {
    const chan = evidence('leak-chan-send', 'main.lookupBackend');
    assert.equal(chan.blocking, 'chan send');
    assert.equal(chan.startedBy, 'main.lookupBackend');
    assert.ok(chan.goroutinesPerHour > 150 && chan.goroutinesPerHour < 350, `${chan.goroutinesPerHour}/h (manifest: 251/h)`);
    assert.equal(evidence('leak-select-no-cancel', 'main.pumpUpdates').blocking, 'select');
    assert.equal(evidence('leak-forgotten-unlock', 'main.(*account).withdraw').blocking, 'sync.(*Mutex).Lock');
    assert.equal(evidence('leak-forgotten-unlock', 'main.(*account).deposit').wait, 'mutex lock');
    const http = evidence('leak-http-body-unclosed', 'net/http.(*persistConn).readLoop');
    assert.equal(http.blocking, 'net/http.(*persistConn).readLoop');
    assert.equal(http.pattern, 'http-transport-conn');
    const summary = byName('leak-chan-send').alerts[0]!.summary;
    assert.match(summary, /^main\.lookupBackend: goroutines blocked in chan send pile up, \+\d(?:\.\d)? goroutines\/min \(\d+ now\)$/);
  });

  it('names the Kitex handler, not the gopool worker that runs it, and says it is a Kitex handler', () => {
    const f = byName('leak-kitex-handler-chan-recv').alerts[0]!;
    assert.equal(f.function, 'main.(*enrichingEcho).Echo');
    const e = f.evidence as GoroutineEvidence;
    assert.equal(e.blocking, 'chan receive');
    assert.equal(e.startedBy, 'github.com/bytedance/gopkg/util/gopool.(*worker).run.func1');
    assert.equal(e.pattern, 'kitex-server-handler');
    assert.match(f.summary, /Kitex server handler/);
    assert.match(f.remediation, /ctx\.Done\(\)/);
  });

  it('reports goroutineleak piles as proven, critical once they grow, on Go 1.26 (experiment) and Go 1.27', () => {
    for (const prefix of ['leakprof', 'go127-leakprof']) {
      for (const [shape, fn] of [
        ['chan-send', 'main.lookupBackend'],
        ['select-no-cancel', 'main.pumpUpdates'],
        ['forgotten-unlock', 'main.(*account).deposit'],
        ['kitex-handler-chan-recv', 'main.(*enrichingEcho).Echo'],
      ] as const) {
        const name = `${prefix}-${shape}`;
        const f = byName(name).alerts.find((a) => a.function === fn);
        assert.ok(f, `${name}: ${fn}`);
        assert.equal(f.severity, 'critical', name);
        const e = f.evidence as GoroutineEvidence;
        assert.deepEqual(e.profileKinds, ['goroutineleak']);
        assert.ok(e.provenLeaked! > 0, name);
        assert.match(f.summary, /the runtime proved \d+ of them leaked/);
      }
    }
  });

  it('accounts for every goroutine the runtime proved leaked in the last goroutineleak profile', () => {
    for (const s of score.series.filter((x) => goroutineManifest(x).profile_kind === 'goroutineleak')) {
      const proven = s.alerts.reduce((n, f) => n + ((f.evidence as GoroutineEvidence).provenLeaked ?? 0), 0);
      assert.equal(proven, goroutineManifest(s).goroutines_last, s.manifest.scenario);
    }
  });

  it('held-out round 65: the gRPC client per call that the heap misses, and the transport per call, are found in goroutine profiles; a shared transport under a ramp is quiet', () => {
    // Recorded by test/fixtures/libleaks (accelerated, grpc-go v1.85.0) and
    // scored before any change: precision 5 of 5, recall 2 of 2. The heap
    // series of the same gRPC leak (leak-grpc-client-per-call-1min) spreads
    // ~14 MB/h over ~60 sites and is missed; its goroutines pile up in three
    // places, each found at minute 70.
    const grpc = byName('leak-grpc-client-goroutines-1min');
    assert.deepEqual(grpc.alerts.map((f) => f.function).sort(), [
      'google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run',
      'google.golang.org/grpc/internal/transport.(*controlBuffer).get',
      'google.golang.org/grpc/internal/transport/readyreader.(*nonBlockingReader).ReadOnReady',
    ]);
    assert.ok(grpc.leaks[0]!.minutesToDetect! <= 75, `gRPC warned at ${grpc.leaks[0]!.minutesToDetect} min`);
    // Idle keep-alive connections of transports never closed: readLoop waits
    // in a network read, writeLoop in its select; both named as net/http's.
    const transport = byName('leak-transport-per-call-goroutines-1min');
    assert.equal(transport.alerts.length, 2);
    for (const f of transport.alerts) assert.equal((f.evidence as GoroutineEvidence).pattern, 'http-transport-conn', f.function);
    assert.deepEqual(byName('trap-transport-ramp-goroutines-1min').alerts, []);
  });

  it('finds goroutine-profile leaks once the warm-up has passed, before each series ends', () => {
    for (const s of score.series.filter((x) => goroutineManifest(x).profile_kind === 'goroutine' && x.leaks.length > 0)) {
      const ttd = s.leaks[0]!.minutesToDetect;
      assert.ok(ttd !== null && ttd >= DEFAULT_DETECT_PARAMS.warmupMs / 60_000 && ttd <= (s.lastMs - s.firstMs) / 60_000, `${s.manifest.scenario}: ${ttd} min`);
    }
  });
});
