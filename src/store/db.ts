/**
 * Opens the SQLite database: WAL, foreign keys, file mode 0600 (profiles can
 * reveal memory contents of the services), and versioned migrations applied
 * in one transaction each.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HeapwatchError } from '../errors.js';

/** The one SQLite connection type of the store (better-sqlite3). */
export type Db = Database.Database;

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

export function openDatabase(path: string): Db {
  let db: Db;
  try {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      // Create the file ourselves so it is 0600 from the first byte.
      closeSync(openSync(path, 'a', 0o600));
    }
    db = new Database(path);
    // Must precede the first table: lets retention hand pages back to the OS.
    if (db.pragma('user_version', { simple: true }) === 0) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new HeapwatchError('HW_ERR_STORE_OPEN', `${path}: ${(err as Error).message}`, { cause: err });
  }
  migrate(db);
  return db;
}

/** One schema migration file: applied in version order, one transaction each. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: readFileSync(new URL(f, MIGRATIONS_DIR), 'utf8') }));
}

/** Applies pending migrations; the schema version lives in PRAGMA user_version. */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of loadMigrations()) {
    if (m.version <= current) continue;
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.pragma(`user_version = ${m.version}`);
      })();
    } catch (err) {
      throw new HeapwatchError('HW_ERR_STORE_OPEN', `migration ${m.name}: ${(err as Error).message}`, { cause: err });
    }
  }
}
