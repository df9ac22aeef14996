/**
 * The detector against the labelled corpus of real profile series
 * (test/fixtures/corpus: real Kitex/netpoll/Sonic services and plain Go
 * programs, one series per leak class plus leak-free traps), replayed through
 * `heapwatch analyze`'s engine with the shipped defaults.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DETECT_PARAMS } from '../src/detect/params.js';
import { CLASS_IDS } from '../src/detect/classes.js';
import { evaluateCorpus, renderScore } from './eval/corpus.js';

describe('labelled corpus', () => {
  const score = evaluateCorpus(DEFAULT_DETECT_PARAMS);

  it('prints the evaluation table with time to detect', () => {
    process.stdout.write(`\n${renderScore(score)}\n\n`);
    assert.ok(score.series.length >= 18);
  });

  it('covers every leak class with a real series, and has traps', () => {
    const expected = new Set(score.series.map((s) => s.manifest.expected_class));
    for (const id of CLASS_IDS) assert.ok(expected.has(id), `no series for ${id}`);
    const traps = score.series.filter((s) => s.manifest.expected_class === null).map((s) => s.manifest.scenario);
    for (const t of ['trap-warmup', 'trap-sawtooth', 'trap-poolchurn', 'trap-step', 'trap-restart', 'trap-busy-netpoll-v025', 'trap-netpoll-churn']) {
      assert.ok(traps.includes(t), t);
    }
  });

  it('precision >= 0.95, recall >= 0.95, class accuracy >= 0.9', () => {
    assert.ok(score.precision >= 0.95, `precision ${score.precision}`);
    assert.ok(score.recall >= 0.95, `recall ${score.recall}`);
    assert.ok(score.classAccuracy >= 0.9, `class accuracy ${score.classAccuracy}`);
  });

  it('raises no warning or critical finding on any trap', () => {
    for (const s of score.series.filter((x) => x.manifest.expected_class === null)) {
      assert.deepEqual(
        s.alerts.map((f) => `${f.class} ${f.function}`),
        [],
        s.manifest.scenario,
      );
    }
  });

  it('raises the expected info finding for a vulnerable version with no growth', () => {
    for (const s of score.series) assert.ok(s.infoOk, `${s.manifest.scenario}: expected info ${s.manifest.expect_info.join(',')}`);
    const quiet = score.series.find((s) => s.manifest.scenario === 'info-netpoll-v024-quiet')!;
    const info = quiet.findings.find((f) => f.severity === 'info')!;
    assert.equal(info.evidence.versions['github.com/cloudwego/netpoll'], 'v0.2.4');
  });

  it('catches a ~50 MB/h leak that began at process start just past the 60-minute warm-up, and a ~4 MB/h leak within about two hours', () => {
    // The series' process is ~5 minutes old at its first profile: growth in
    // the first hour of a process is held as `info` (a cache may be warming
    // up), then confirmed within minutes of the warm-up's end (README: Detection).
    const fast = score.series.find((s) => s.manifest.scenario === 'leak-unclassified')!;
    assert.ok(fast.minutesToDetect !== null && fast.minutesToDetect <= 60, `${fast.minutesToDetect} min`);
    assert.ok(fast.findings.some((f) => f.class === 'filling-cache' && f.function === 'main.(*sessionStore).remember' && f.detected_at < fast.alerts[0]!.detected_at));
    const slow = score.series.find((s) => s.manifest.scenario === 'leak-unclassified-slow')!;
    assert.ok(slow.minutesToDetect !== null && slow.minutesToDetect <= 125, `${slow.minutesToDetect} min`);
  });

  it('names the struct and field id of a held field, and the version of a vulnerable module', () => {
    const field = score.series.find((s) => s.manifest.scenario === 'leak-server-request-field')!.alerts[0]!;
    assert.match(field.summary, /^server keeps Request field 2 \(Kitex\), growing \d+ MB\/h$/);
    assert.match(field.function, /\.\(\*Request\)\.FastReadField2$/);
    const client = score.series.find((s) => s.manifest.scenario === 'leak-client-response-field')!.alerts[0]!;
    assert.match(client.summary, /^client keeps Response field 2 \(Kitex\)/);
    const barrier = score.series.find((s) => s.manifest.scenario === 'leak-netpoll-barrier')!.alerts[0]!;
    assert.equal(barrier.severity, 'critical');
    assert.equal(barrier.evidence.versions['github.com/cloudwego/netpoll'], 'v0.2.4');
    assert.match(barrier.doc_url, /#increased-connection-count--large-payload-scenarios$/);
    const oversized = score.series.find((s) => s.manifest.scenario === 'leak-oversized-requests')!.alerts[0]!;
    assert.ok(oversized.evidence.meanObjectBytes! >= 1024 * 1024);
  });
});
