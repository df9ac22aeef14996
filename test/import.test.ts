/**
 * `heapwatch import` end to end with the real CLI and a real SQLite file:
 * a Kitex leak series is stored at its own times and judged like the
 * daemon does; importing it again changes nothing; broken files are refused
 * with their codes; the daemon then serves the history (findings stay open,
 * profiles rebuilt from keyframe + deltas read like the originals), and
 * `analyze --daemon` prints the finding's page.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { startDaemon, type Daemon } from '../src/main.js';
import { decodeHeapProfileFast } from '../src/pprof/fast-decode.js';
import { stackCount, stackFrames, stackValue, type HeapProfile } from '../src/pprof/profile.js';
import { openDatabase } from '../src/store/db.js';
import { HistoryReader } from '../src/store/history-reader.js';
import { profileAt } from '../src/web/finding-view.js';
import { CLI, FIXTURES } from './helpers/paths.js';

const SERIES = join(FIXTURES, 'corpus', 'leak-server-request-field', 'profiles');
const LIMITS = { maxDecompressedBytes: 64 * 1024 * 1024 };

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Flat inuse_space per function name (leaf frame), as pprof -top's flat column. */
function flatByName(p: HeapProfile): Map<string, number> {
  const space = p.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  const out = new Map<string, number>();
  for (let i = 0; i < stackCount(p); i++) {
    const leaf = stackFrames(p, i)[0];
    if (leaf === undefined) continue;
    const name = p.functions[leaf]!.name;
    out.set(name, (out.get(name) ?? 0) + stackValue(p, i, space));
  }
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

describe('heapwatch import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-import-'));
  const dbPath = join(dir, 'heapwatch.db');
  const config = join(dir, 'heapwatch.yaml');
  let daemon: Daemon | undefined;

  before(() => writeFileSync(config, stringify({ storage: { path: dbPath }, api: { listen: '127.0.0.1:0' } })));
  after(async () => daemon?.stop());

  it('stores a Kitex leak series at its own times and opens the finding the daemon would', () => {
    const r = cli('import', '--config', config, '--target', 'payments', '--label', 'env=test', SERIES);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^import:payments: 75 file\(s\): 75 stored, 0 skipped \(already stored\), 0 rejected$/m);
    assert.match(r.stdout, /^findings opened: [1-9]/m);
    const db = openDatabase(dbPath);
    try {
      const target = db.prepare(`SELECT id, labels FROM targets WHERE key = 'import:payments'`).get() as { id: number; labels: string };
      assert.deepEqual(JSON.parse(target.labels), { service: 'payments', instance: 'import:payments', env: 'test' });
      const times = db.prepare(`SELECT ts, profile_time AS pt FROM scrapes WHERE target_id = ? ORDER BY id`).all(target.id) as { ts: number; pt: number }[];
      assert.equal(times.length, 75);
      assert.ok(times.every((t, i) => t.ts === t.pt && (i === 0 || t.ts > times[i - 1]!.ts)), 'stored at the profiles own times, in order');
      const open = db.prepare(`SELECT class FROM findings WHERE target_id = ? AND state = 'open'`).pluck().all(target.id);
      assert.deepEqual(open, ['server-request-field-held']);
    } finally {
      db.close();
    }
  });

  it('changes nothing when the same files are imported again', () => {
    const snapshot = (): string => {
      const db = openDatabase(dbPath);
      try {
        return JSON.stringify([
          db.prepare(`SELECT COUNT(*) FROM scrapes`).pluck().get(),
          db.prepare(`SELECT COUNT(*) FROM stack_values`).pluck().get(),
          db.prepare(`SELECT id, class, state, last_seen_at, growth_bytes FROM findings ORDER BY id`).all(),
        ]);
      } finally {
        db.close();
      }
    };
    const before = snapshot();
    const r = cli('import', '--config', config, '--target', 'payments', SERIES);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /75 file\(s\): 0 stored, 75 skipped \(already stored\), 0 rejected/);
    assert.match(r.stdout, /^findings opened: 0$/m);
    assert.equal(snapshot(), before);
  });

  it('refuses broken files with their codes and stores the rest', () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    const good = readdirSync(SERIES).sort().slice(0, 3);
    for (const f of good) copyFileSync(join(SERIES, f), join(mixed, f));
    writeFileSync(join(mixed, 'page.pb.gz'), '<html>not a profile</html>');
    writeFileSync(join(mixed, 'cut.pb.gz'), readFileSync(join(SERIES, good[0]!)).subarray(0, 200));
    const r = cli('import', '--config', config, '--target', 'other', mixed);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /5 file\(s\): 3 stored, 0 skipped \(already stored\), 2 rejected/);
    assert.match(r.stdout, /rejected HW_ERR_NOT_PPROF: 1/);
    assert.match(r.stdout, /rejected HW_ERR_PROFILE_GZIP: 1/);
    assert.match(r.stdout, /page\.pb\.gz/);
  });

  it('fails clearly on a missing path or a missing --target', () => {
    const missing = cli('import', '--config', config, '--target', 'x', join(dir, 'nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^heapwatch: HW_ERR_BAD_REQUEST: .*nope: no such file or directory/);
    assert.equal(cli('import', '--config', config, SERIES).code, 2);
    assert.equal(cli('import', '--config', config, '--target', 'a b', SERIES).code, 2);
  });

  it('the daemon serves the imported history: findings stay open, rebuilt profiles read like the originals', async () => {
    daemon = await startDaemon(config, { logLevel: 'silent' });
    const res = await fetch(`${daemon.address}/api/v1/findings?state=open`);
    const { findings } = (await res.json()) as { findings: { id: number; class: string; target: string }[] };
    assert.ok(findings.some((f) => f.class === 'server-request-field-held' && f.target === 'import:payments'), 'not resolved as an unscraped target');

    // A scrape in the middle of the series keeps no raw profile: it is rebuilt from keyframe + deltas.
    const history = new HistoryReader(daemon.db);
    const finding = history.finding(findings.find((f) => f.class === 'server-request-field-held')!.id)!;
    const middle = history.scrapes(finding.epochId).filter((s) => !history.rawProfile(s.scrapeId))[20]!;
    const rebuilt = profileAt(history, finding.epochId, middle);
    assert.equal(rebuilt.rebuilt, true);
    const original = readdirSync(SERIES)
      .map((f) => decodeHeapProfileFast(readFileSync(join(SERIES, f)), LIMITS))
      .find((p) => p.timeMs === middle.t)!;
    const got = flatByName(decodeHeapProfileFast(rebuilt.bytes, LIMITS));
    const want = flatByName(original);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [name, v] of want) assert.ok(Math.abs(got.get(name)! - v) <= 1, `${name}: ${got.get(name)} vs ${v}`);
  });

  it('analyze --daemon prints the finding page on that daemon', async () => {
    assert.ok(daemon);
    const id = ((await (await fetch(`${daemon.address}/api/v1/findings?state=open`)).json()) as { findings: { id: number; class: string }[] }).findings.find(
      (f) => f.class === 'server-request-field-held',
    )!.id;
    // spawnSync would block the in-process daemon's event loop: run the CLI asynchronously.
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [CLI, 'analyze', '--daemon', daemon!.address, SERIES], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    assert.match(out, new RegExp(`server-request-field-held \\S+FastReadField2: ${daemon.address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/findings/${id}$`, 'm'));
  });
});
