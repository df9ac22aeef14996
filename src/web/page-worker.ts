/**
 * Worker-thread entry for the finding page's heavy reads: the diff flame
 * tree and the downloadable profiles rebuild whole stack states of a big
 * profile (a second or more), which on the daemon's thread would hold up
 * scraping and /metrics. Each worker keeps one read-only connection to the
 * database (SQLite WAL lets it read while the daemon writes). Errors come
 * back as data: structured clone would strip their code.
 */
import Database from 'better-sqlite3';
import { toErrorRecord, type ErrorRecord } from '../errors.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import { HistoryReader } from '../store/history-reader.js';
import { findingFlame, findingProfile, findingWindow, type ProfileKind } from './finding-view.js';
import type { FlameNode } from './flame-tree.js';

export type PageTask = { dbPath: string; findingId: number } & ({ kind: 'flame' } | { kind: 'profile'; profile: ProfileKind; limits: DecodeLimits });

export type PageResult =
  | { ok: true; flame: { root: FlameNode; nodes: number; folded: number; baseAt: number; latestAt: number } }
  | { ok: true; bytes: Uint8Array }
  | { ok: false; notFound: string }
  | { ok: false; error: ErrorRecord };

let open: { path: string; history: HistoryReader } | undefined;

function historyOf(path: string): HistoryReader {
  if (open?.path !== path) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    open = { path, history: new HistoryReader(db) };
  }
  return open.history;
}

export default function pageTask(task: PageTask): PageResult {
  try {
    return run(historyOf(task.dbPath), task);
  } catch (err) {
    return { ok: false, error: toErrorRecord(err, 'HW_ERR_STORE_OPEN') };
  }
}

const inlineReaders = new WeakMap<Database.Database, HistoryReader>();

/** The same work on a connection of this thread (an in-memory database). */
export function pageTaskOn(db: Database.Database, task: PageTask): PageResult {
  let history = inlineReaders.get(db);
  if (!history) {
    history = new HistoryReader(db);
    inlineReaders.set(db, history);
  }
  try {
    return run(history, task);
  } catch (err) {
    return { ok: false, error: toErrorRecord(err, 'HW_ERR_STORE_OPEN') };
  }
}

function run(history: HistoryReader, task: PageTask): PageResult {
  const f = history.finding(task.findingId);
  if (!f) return { ok: false, notFound: `finding ${task.findingId}` };
  const w = findingWindow(history, f);
  if (!w) return { ok: false, notFound: `no stored profiles in the epoch of finding ${f.id}` };
  if (task.kind === 'flame') return { ok: true, flame: { ...findingFlame(history, f, w), baseAt: w.base.t, latestAt: w.latest.t } };
  return { ok: true, bytes: findingProfile(history, f, w, task.profile, task.limits) };
}
