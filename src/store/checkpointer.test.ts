import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createLogger } from '../log.js';
import type { CheckpointReport } from './checkpoint-worker.js';
import { Checkpointer } from './checkpointer.js';
import { openDatabase } from './db.js';

const dir = mkdtempSync(join(tmpdir(), 'hw-checkpoint-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function logSink(): { log: ReturnType<typeof createLogger>; lines: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  return { log: createLogger('info', out), lines: () => text };
}

const until = async (cond: () => boolean, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Checkpointer', () => {
  it('moves committed pages into the database file from its own thread; commits never checkpoint', async () => {
    const path = join(dir, 'a.db');
    const db = openDatabase(path);
    db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)');
    const reports: CheckpointReport[] = [];
    const cp = new Checkpointer({ db, path, intervalMs: 50, log: logSink().log, onReport: (r) => reports.push(r) });
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0);
    const insert = db.prepare('INSERT INTO blobs (b) VALUES (?)');
    // ~1,500 pages: past the 1,000 at which a commit would have checkpointed itself.
    for (let i = 0; i < 1500; i++) insert.run(Buffer.alloc(4000, i % 251));
    await until(() => reports.some((r) => r.ok && r.checkpointedFrames >= 1500), 10_000);
    await cp.stop();
    // Only the main file, without its WAL: the rows must already be in it.
    const copy = join(dir, 'a-copy.db');
    copyFileSync(path, copy);
    const check = new Database(copy, { readonly: true });
    assert.equal(check.prepare('SELECT COUNT(*) FROM blobs').pluck().get(), 1500);
    check.close();
    assert.ok(statSync(`${path}-wal`).size <= 64 * 1024 * 1024);
    db.close();
    assert.ok(reports.every((r) => r.ok), JSON.stringify(reports.find((r) => !r.ok)));
  });

  it('gives checkpoints back to commits when its thread fails', async () => {
    const path = join(dir, 'b.db');
    const db = openDatabase(path);
    const { log, lines } = logSink();
    // A database the thread cannot open (its directory does not exist): a real failure of the thread.
    const cp = new Checkpointer({ db, path: join(dir, 'missing', 'b.db'), intervalMs: 50, log });
    await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000, 10_000);
    assert.match(lines(), /WAL checkpoint thread failed; checkpointing in commits again/);
    await cp.stop();
    db.close();
  });
});
