/** `analyze`, `top` and `diff` on real goroutine and goroutineleak profiles, as a user runs them. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, FIXTURES } from './helpers/paths.js';

const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const G = join(FIXTURES, 'goroutine-corpus');
const HEAP_FIELDS = ['class', 'severity', 'function', 'stack', 'growth_bytes', 'bytes_per_hour', 'detected_at', 'evidence', 'summary', 'remediation', 'doc_url', 'state', 'resolved_at'];

describe('heapwatch CLI on goroutine profiles', () => {
  it('analyze --json on a folder of goroutine profiles prints goroutine-leak findings with the heap findings\' fields', () => {
    const r = run('analyze', '--json', join(G, 'leak-select-no-cancel'));
    assert.equal(r.status, 0, r.stderr);
    const { findings } = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
    assert.equal(findings.length, 1);
    const f = findings[0]!;
    assert.deepEqual(Object.keys(f).sort(), [...HEAP_FIELDS].sort());
    assert.equal(f.class, 'goroutine-leak');
    assert.equal(f.function, 'main.pumpUpdates');
    const e = f.evidence as Record<string, unknown>;
    assert.equal(e.blocking, 'select');
    assert.equal(e.startedBy, 'main.pumpUpdates');
    assert.ok((e.goroutinesPerHour as number) > 60);
  });

  it('analyze judges each kind of a mixed folder on its own, with a note instead of a mixed-targets warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-gmix-'));
    for (const series of ['leak-chan-send', 'leakprof-chan-send', 'trap-worker-pool']) {
      for (const f of readdirSync(join(G, series, 'profiles'))) cpSync(join(G, series, 'profiles', f), join(dir, `${series}-${f}`));
    }
    cpSync(join(FIXTURES, 'corpus', 'leak-server-request-field', 'profiles'), join(dir, 'heap'), { recursive: true });
    const r = run('analyze', '--json', dir);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { findings: { class: string; function: string; severity: string }[]; notes: string[] };
    const got = out.findings.filter((f) => f.severity !== 'info').map((f) => `${f.class} ${f.function}`);
    assert.ok(got.includes('server-request-field-held ' + out.findings.find((f) => f.class === 'server-request-field-held')?.function), got.join('; '));
    assert.ok(got.includes('goroutine-leak main.lookupBackend'), got.join('; '));
    // The worker pool is another build over the same time: a second goroutine target, judged on its own and not flagged.
    assert.ok(!got.some((g) => g.includes('pool')), got.join('; '));
    assert.ok(out.notes.some((n) => /inputs mix 2 targets/.test(n)), out.notes.join('\n'));
  });

  it('analyze prints the blocking frame, start function and proof in text', () => {
    const r = run('analyze', join(G, 'go127-leakprof-forgotten-unlock'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\[CRITICAL\] goroutine-leak: main\.\(\*account\)\.withdraw: goroutines blocked in sync\.\(\*Mutex\)\.Lock pile up/);
    assert.match(r.stdout, /blocked in: {2}sync\.\(\*Mutex\)\.Lock \(mutex lock\)/);
    assert.match(r.stdout, /proven: {6}24 goroutines proven leaked by the runtime/);
  });

  it('top lists goroutines per function; diff shows the pile that grew; diff across kinds fails clearly', () => {
    const last = join(G, 'leak-chan-send', 'profiles', '0089.pb.gz');
    const top = run('top', '--json', '--cum', last);
    assert.equal(top.status, 0, top.stderr);
    const report = JSON.parse(top.stdout) as { kind: string; sample_index: string; total: number; functions: { name: string; cum: number }[] };
    assert.equal(report.kind, 'goroutine');
    assert.equal(report.sample_index, 'goroutine');
    assert.equal(report.total, 389);
    assert.equal(report.functions.find((f) => f.name === 'main.lookupBackend')?.cum, 382);
    const diff = run('diff', join(G, 'leak-chan-send', 'profiles', '0000.pb.gz'), last);
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(diff.stdout, /^goroutine 14 -> 389 \(\+375\)/);
    assert.match(diff.stdout, /\+375\s+7 -> 382\s+main\.lookupBackend/);
    const bad = run('diff', join(FIXTURES, 'corpus', 'trap-step', 'profiles', '0000.pb.gz'), last);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /HW_ERR_BAD_REQUEST.*cannot diff a goroutine profile .* against a heap profile/);
  });
});
