/** `heapwatch analyze` on real recorded series: history too short, mixed targets, detect.* flags. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { describe, it } from 'node:test';
import { FIXTURES, CLI } from '../../test/helpers/paths.js';
import { DEFAULT_DETECT_PARAMS } from '../detect/params.js';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import { analyzeFiles, renderReport } from './analyze.js';
import { collectProfileFiles } from './profile-files.js';

const series = (name: string): string[] => collectProfileFiles([`${FIXTURES}corpus/${name}/profiles`]);
/** The profile without its time_nanos (field 9), every other field copied byte for byte: what a tool that drops the time leaves. */
function withoutTime(gz: Uint8Array): Uint8Array {
  const raw = gunzipSync(gz);
  const r = new BinaryReader(raw);
  const w = new BinaryWriter();
  while (r.pos < r.len) {
    const start = r.pos;
    const [field, wire] = r.tag();
    r.skip(wire, field);
    if (field !== 9) w.raw(raw.subarray(start, r.pos));
  }
  return gzipSync(w.finish());
}

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'analyze', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

describe('analyze', () => {
  it('with too little history says so, and never claims "no leak"', () => {
    const files = series('leak-unclassified').slice(0, 25);
    const result = analyzeFiles(files, DEFAULT_DETECT_PARAMS);
    const text = renderReport(result);
    assert.match(text, /not enough history: 25 profiles over 24 min; needs 35 min/);
    assert.doesNotMatch(text, /No leak found/);
  });

  it('a long enough quiet series is "no leak found"', () => {
    assert.match(renderReport(analyzeFiles(series('trap-sawtooth'), DEFAULT_DETECT_PARAMS)), /No leak found/);
  });

  it('warns when the inputs mix targets (sample rate, overlapping build ids) and judges each separately', () => {
    const leak = series('leak-unclassified'); // Go 1.26 plain Go program
    const kitex = series('trap-netpoll-churn'); // another binary, same minutes
    const result = analyzeFiles([...leak, ...kitex], DEFAULT_DETECT_PARAMS);
    assert.equal(result.targets.length, 2);
    assert.match(result.mixWarning!, /the inputs mix 2 targets .*build id.*each is judged separately/);
    const [a, b] = result.targets;
    assert.deepEqual([a!.files, b!.files].sort(), [leak.length, kitex.length].sort());
    // The leak is still found in its own target; the quiet service raises nothing.
    assert.deepEqual(result.findings.filter((f) => f.severity !== 'info').map((f) => f.classId), ['unclassified-growth']);
  });

  it('replays profiles without a time_nanos --interval apart in natural file order, and says so', () => {
    const timed = series('leak-unclassified');
    const dir = mkdtempSync(join(tmpdir(), 'hw-untimed-'));
    // heap-1 ... heap-90, unpadded: a plain sort would put heap-10 before heap-2.
    timed.forEach((file, i) => writeFileSync(join(dir, `heap-${i + 1}.pb.gz`), withoutTime(readFileSync(file))));
    const untimedFiles = collectProfileFiles([dir]);
    assert.deepEqual(untimedFiles.slice(0, 11).map((f) => basename(f)), Array.from({ length: 11 }, (_, i) => `heap-${i + 1}.pb.gz`));
    const expected = analyzeFiles(timed, DEFAULT_DETECT_PARAMS);
    const got = analyzeFiles(untimedFiles, DEFAULT_DETECT_PARAMS, undefined, 60_000);
    assert.equal(expected.untimedNote, undefined);
    assert.equal(got.untimedNote, `${timed.length} of ${timed.length} profiles carry no time_nanos: replayed 1 min apart in file-name order (--interval sets how far apart)`);
    // The same findings at the same minutes of the series (the recorded scrapes were a minute apart).
    const shape = (r: typeof got, t0: number) => r.findings.map((f) => [f.classId, f.function, f.severity, Math.round((f.detectedAt - t0) / 60_000)]);
    assert.ok(expected.findings.some((f) => f.severity !== 'info'), 'the recorded leak warns');
    const t0 = decodeProfileFast(readFileSync(timed[0]!), { maxDecompressedBytes: 64 << 20 }).profile.timeMs;
    assert.deepEqual(shape(got, 0), shape(expected, t0));
    const r = cli('--interval', '2m', dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /90 of 90 profiles carry no time_nanos: replayed 2 min apart/);
  });

  it('takes the detect.* settings as flags', () => {
    const dir = `${FIXTURES}corpus/leak-unclassified/profiles`;
    const strict = cli('--json', '--min-growth', '1GiB', dir);
    assert.equal(strict.status, 0, strict.stderr);
    assert.deepEqual((JSON.parse(strict.stdout) as { findings: { severity: string }[] }).findings.filter((f) => f.severity !== 'info'), []);
    const noWarmup = cli('--json', '--warmup', '0s', '--window', '1h', '--min-window', '20m', '--for', '5m', dir);
    assert.equal(noWarmup.status, 0, noWarmup.stderr);
    const { findings } = JSON.parse(noWarmup.stdout) as { findings: { class: string; detected_at: string }[] };
    const first = findings.find((f) => f.class === 'unclassified-growth')!;
    // Without the warm-up hold and with shorter windows the leak is raised within 30 minutes of the first profile.
    assert.ok(Date.parse(first.detected_at) - Date.parse('2026-01-01T00:00:00Z') <= 30 * 60_000, first.detected_at);
    const bad = cli('--window', 'soon', dir);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /expected a duration like "30m" or "6h", got "soon"/);
  });
});
