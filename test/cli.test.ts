/** The CLI as a user runs it: a real process, real files. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { requireGo } from './helpers/binaries.js';
import { CLI, FIXTURES, PROFILES } from './helpers/paths.js';

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const SERIES = join(FIXTURES, 'corpus', 'leak-server-request-field', 'profiles');

describe('heapwatch CLI', () => {
  it('--help works on every subcommand', () => {
    for (const sub of ['', 'run', 'check-config', 'top', 'analyze', 'diff']) {
      const r = run(...(sub ? [sub] : []), '--help');
      assert.equal(r.status, 0, sub);
      assert.match(r.stdout, /Usage: heapwatch/);
    }
  });

  it('analyze --json prints findings with the documented field names', () => {
    const r = run('analyze', '--json', SERIES);
    assert.equal(r.status, 0, r.stderr);
    const { findings } = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
    assert.ok(findings.length >= 1);
    const f = findings[0]!;
    for (const k of ['class', 'severity', 'function', 'stack', 'growth_bytes', 'bytes_per_hour', 'detected_at', 'evidence', 'summary', 'remediation', 'doc_url']) {
      assert.ok(k in f, k);
    }
    assert.equal(f.class, 'server-request-field-held');
  });

  it('analyze prints a readable report, and orders files by time_nanos, not by name', () => {
    const r = run('analyze', SERIES);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\[WARNING\] server-request-field-held: server keeps Request field 2 \(Kitex\), growing \d+ MB\/h/);
    assert.match(r.stdout, /guide: +https:\/\/www\.cloudwego\.io\/docs\/kitex\/best-practice\/self_check\/mem_leak_self_check\/#holding-onto/);
    const quiet = run('analyze', join(FIXTURES, 'corpus', 'trap-sawtooth'));
    assert.match(quiet.stdout, /No leak found/);
  });

  it('analyze says why a crash loop is raised inside a young process', () => {
    const r = run('analyze', join(FIXTURES, 'corpus', 'leak-crashloop-40min'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\[WARNING\] unclassified-growth: main\.\(\*auditTrail\)\.append keeps allocating memory/);
    assert.match(r.stdout, /not held: +not held for the warm-up: it grew like this until each of the last \d processes ended, .* inside their warm-up \(a crash loop\?\)/);
  });

  it('analyze fails clearly on a path with no profiles and on a bad profile', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hw-empty-'));
    const r = run('analyze', empty);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /HW_ERR_BAD_REQUEST: .*no pprof profiles \(gzipped or not, under any file name\) under/);
    const bad = run('analyze', join(FIXTURES, 'profiles', 'README.md'));
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /HW_ERR_NOT_PPROF: .*README\.md/);
  });

  it("analyze says how to fetch the binary form when given Go's text profiles (?debug=1)", () => {
    for (const [file, kind] of [['heap-debug1.txt', 'heap'], ['goroutine-debug1.txt', 'goroutine']] as const) {
      const path = join(FIXTURES, 'profiles', 'text', file);
      const r = run('analyze', path);
      assert.equal(r.status, 1);
      const line = r.stderr.trim();
      assert.ok(line.startsWith(`heapwatch: HW_ERR_NOT_PPROF: not a pprof profile: ${path}: body starts with text "${kind} profile:`), line);
      assert.ok(line.endsWith(`Go's text ${kind} profile (?debug=1); heapwatch reads the binary form, served without debug (/debug/pprof/${kind})`), line);
      // The code's message is said once, not again after the file name.
      assert.equal(line.split('not a pprof profile').length, 2, line);
    }
  });

  it('diff prints the top growers and writes a diff profile identical in effect to go tool pprof -diff_base', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hw-diff-')), 'diff.pb.gz');
    const base = join(SERIES, '0000.pb.gz');
    const now = join(SERIES, '0074.pb.gz');
    const r = run('diff', base, now, '-o', out);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Top growing functions[\s\S]*\+\d+\.\d+MiB .*thrift\.BinaryProtocol\.ReadString/);
    const go = requireGo();
    const args = ['-top', '-sample_index=inuse_space', '-nodecount=1000000', '-nodefraction=0', '-unit=B'];
    const ours = execFileSync(go, ['tool', 'pprof', ...args, out], { encoding: 'utf8' });
    const theirs = execFileSync(go, ['tool', 'pprof', ...args, '-diff_base', base, now], { encoding: 'utf8' });
    const body = (s: string): string => s.slice(s.indexOf('Showing nodes'));
    assert.equal(body(ours), body(theirs));
  });

  it('top prints a table', () => {
    const r = run('top', '-n', '3', join(PROFILES, 'grower.pb.gz'));
    assert.equal(r.status, 0);
    assert.match(r.stdout, /main\.retainChunk/);
  });
});
