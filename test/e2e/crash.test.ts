/**
 * Crash safety: the daemon is SIGKILLed at random moments during heavy
 * ingest, many times over. After every kill the database passes
 * PRAGMA integrity_check, every scrape the daemon acknowledged (logged as
 * stored, which happens after its transaction commits) is still there, no
 * scrape is half-written (each stored state adds up to the profile's total),
 * and the next start resumes scraping.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { StoreReader } from '../../src/store/reader.js';
import { freePort } from '../helpers/daemon.js';
import { CLI, FIXTURES } from '../helpers/paths.js';
import { loadSeries, startProfileServer, type ProfileServer } from '../helpers/profile-server.js';
import { seededRandom as rng } from '../helpers/random.js';

const ROUNDS = 8;
const TARGETS = 24;
/** A start that stores nothing this long is a failure of its own (asserted below). */
const FIRST_SCRAPE_TIMEOUT_MS = 30_000;

interface Round {
  acknowledged: number[];
  killedAfterMs: number;
}

describe('crash safety under SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hw-crash-'));
  const dbPath = join(dir, 'heapwatch.db');
  const rounds: Round[] = [];
  let fleet: ProfileServer;

  before(async () => {
    const corpus = join(FIXTURES, 'corpus');
    const series = readdirSync(corpus).sort().map((name) => loadSeries(join(corpus, name, 'profiles')));
    fleet = await startProfileServer((n) => series[n % series.length]!);
    const port = await freePort();
    const config = join(dir, 'heapwatch.yaml');
    writeFileSync(
      config,
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '900ms', max_concurrent_scrapes: 8 },
        storage: { path: dbPath, keyframe_every: 4, keep_latest_profiles: 3 },
        api: { listen: `127.0.0.1:${port}` },
        log: { level: 'debug' },
        targets: Array.from({ length: TARGETS }, (_, n) => ({ url: fleet.targetUrl(n), labels: { service: `svc-${n % 6}` } })),
      }),
    );
    const random = rng(20261128);
    for (let r = 0; r < ROUNDS; r++) {
      // Into ingest, at a different moment each round: up to 3 s after the
      // first stored scrape. Counted from the first scrape, not from the
      // spawn, because start-up takes 1 s on an idle machine and over 3 s on
      // a busy one (a fixed 2.5-5.5 s from the spawn once killed a daemon
      // that had stored nothing yet).
      const ingestMs = Math.floor(random() * 3000);
      const acknowledged: number[] = [];
      const started = Date.now();
      const child = spawn(process.execPath, [CLI, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'ignore'] });
      let firstStored: () => void = () => {};
      const stored = new Promise<void>((resolve) => (firstStored = resolve));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.includes('"scrape stored"')) return;
        acknowledged.push((JSON.parse(line) as { scrape: number }).scrape);
        firstStored();
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stored, new Promise((r2) => (timer = setTimeout(r2, FIRST_SCRAPE_TIMEOUT_MS)))]);
      clearTimeout(timer);
      await new Promise((r2) => setTimeout(r2, ingestMs));
      child.kill('SIGKILL');
      await exited;
      rounds.push({ acknowledged, killedAfterMs: Date.now() - started });
    }
  });

  after(async () => {
    await fleet?.close();
  });

  it('kills the daemon mid-ingest every round, and every restart resumes scraping', () => {
    assert.equal(rounds.length, ROUNDS);
    for (const [i, r] of rounds.entries()) {
      assert.ok(r.acknowledged.length > 0, `round ${i}: no scrape stored in ${r.killedAfterMs} ms`);
      if (i > 0) {
        const before = Math.max(...rounds.slice(0, i).flatMap((x) => x.acknowledged));
        assert.ok(Math.max(...r.acknowledged) > before, `round ${i} stored new scrapes after the restart`);
      }
    }
    process.stdout.write(`# ${ROUNDS} kills survived; ${rounds.reduce((n, r) => n + r.acknowledged.length, 0)} acknowledged scrapes\n`);
  });

  it('passes integrity_check and keeps every acknowledged scrape', () => {
    const db = new Database(dbPath, { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      const ids = new Set(db.prepare('SELECT id FROM scrapes').pluck().all() as number[]);
      for (const [i, r] of rounds.entries()) {
        for (const id of r.acknowledged) assert.ok(ids.has(id), `round ${i}: acknowledged scrape ${id} is missing`);
      }
    } finally {
      db.close();
    }
  });

  it('has no half-written scrape: every stored state adds up to its profile total', () => {
    const db = new Database(dbPath, { readonly: true });
    try {
      const reader = new StoreReader(db);
      const scrapes = db
        .prepare(`SELECT id, epoch_id AS epochId, inuse_bytes AS inuseBytes, keyframe FROM scrapes WHERE outcome = 'ok' ORDER BY id`)
        .all() as { id: number; epochId: number; inuseBytes: number; keyframe: number }[];
      assert.ok(scrapes.length > ROUNDS * 10);
      let checked = 0;
      for (const s of scrapes) {
        const sum = [...reader.functionStateAt(s.epochId, s.id).values()].reduce((acc, [b]) => acc + b, 0);
        assert.equal(sum, s.inuseBytes, `scrape ${s.id} (keyframe ${s.keyframe})`);
        if (s.keyframe) {
          assert.ok((db.prepare('SELECT COUNT(*) FROM stack_values WHERE scrape_id = ?').pluck().get(s.id) as number) > 0, `keyframe ${s.id} has its stacks`);
        }
        checked++;
      }
      process.stdout.write(`# ${checked} stored scrapes rebuilt and checked\n`);
    } finally {
      db.close();
    }
  });
});
