/**
 * `npm run eval -- --corpus DIR`: series of one's own, laid out as the shipped
 * corpus is, are scored in its place, and a corpus that is not one gets an
 * error naming the cause.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT } from './helpers/paths.js';

const EVAL = join(ROOT, 'dist/test/eval/main.js');
const LEAK = 'leak-kitex-tags-realtime-2min';
const HEALTHY = 'trap-load-ramp-realtime-2min';

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [EVAL, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

function corpusOf(names: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'hw-own-corpus-'));
  for (const name of names) symlinkSync(join(FIXTURES, 'corpus', name), join(dir, name));
  writeFileSync(join(dir, 'README.md'), 'not a series\n');
  return dir;
}

describe('npm run eval on a corpus of ones own', () => {
  it('scores only the given series, with the totals of those series, and no goroutine table', () => {
    const r = run('--corpus', corpusOf([LEAK, HEALTHY]));
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /^(leak|trap|info)-/.test(l));
    assert.deepEqual(
      rows.map((l) => l.split(/\s+/)[0]),
      [LEAK, HEALTHY],
    );
    // The leak is found with its class (the shipped corpus finds it), the ramp stays quiet.
    assert.match(rows[0]!, /server-request-field-held@\d+m\s/);
    assert.match(rows[1]!, /\(healthy\)\s+-\s/);
    assert.match(r.stdout, /^2 series \(1 expected leaks, 1 healthy\)$/m);
    assert.match(r.stdout, /^precision 1\.000 .*recall 1\.000/m);
    assert.doesNotMatch(r.stdout, /goroutine series/);
  });

  it('scores them with the warm-up a target may set for itself under --warmup', () => {
    const corpus = corpusOf([LEAK]);
    const warnedAtMinute = (stdout: string): number => Number(/server-request-field-held@(\d+)m\s/.exec(stdout)?.[1]);
    const held = run('--corpus', corpus);
    const own = run('--corpus', corpus, '--warmup', '0s');
    assert.equal(own.status, 0, own.stderr);
    // From process start: held to the 60-minute warm-up by default, raised at once without it.
    assert.ok(warnedAtMinute(held.stdout) >= 60, held.stdout);
    assert.ok(warnedAtMinute(own.stdout) < 50, own.stdout);
  });

  it('replays the given series with scrapes lost under --degraded', () => {
    const r = run('--corpus', corpusOf([LEAK]), '--degraded');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /missed-scrapes/);
    assert.match(r.stdout, /^1 series \(1 expected leaks, 0 healthy\)$/m);
  });

  it('says what is wrong with a corpus that is not one, without a stack trace', () => {
    const missing = join(tmpdir(), 'hw-no-such-corpus');
    const cases: [string[], RegExp][] = [
      [['--corpus', missing], new RegExp(`corpus ${missing}: ENOENT`)],
      [['--corpus', mkdtempSync(join(tmpdir(), 'hw-empty-corpus-'))], /no series \(a series is a folder with manifest\.json and profiles\/\)/],
      [['--bogus'], /Unknown option '--bogus'[\s\S]*usage: npm run eval -- \[--corpus DIR\]/],
      [['--warmup', 'soon'], /--warmup: expected a duration like "0s", "15m" or "1h", got "soon"/],
      [['--goroutine-corpus', join(FIXTURES, 'goroutine-corpus'), '--degraded'], /--degraded replays a heap corpus: give --corpus DIR with it/],
    ];
    const noManifest = corpusOf([LEAK]);
    mkdirSync(join(noManifest, 'half-copied'));
    cases.push([['--corpus', noManifest], /half-copied has no manifest\.json/]);
    for (const [args, message] of cases) {
      const r = run(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /^eval: /);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
    }
  });
});
