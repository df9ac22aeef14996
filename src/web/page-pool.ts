/**
 * Runs the finding page's heavy reads (src/web/page-worker.ts) on one worker
 * thread, off the daemon's event loop. An in-memory database cannot be
 * opened from another thread, so there (tests, `:memory:`) they run inline.
 */
import { Piscina } from 'piscina';
import { fromErrorRecord, HeapwatchError } from '../errors.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import type { Db } from '../store/db.js';
import type { PageResult, PageTask } from './page-worker.js';
import type { FlameNode } from './flame-tree.js';
import type { ProfileKind } from './finding-view.js';

export interface FlameResult {
  root: FlameNode;
  nodes: number;
  folded: number;
  baseAt: number;
  latestAt: number;
}

export interface PageWork {
  /** The diff flame tree of a finding, or undefined when there is no such finding or no stored profile. */
  flame(findingId: number): Promise<FlameResult | undefined>;
  profile(findingId: number, kind: ProfileKind, limits: DecodeLimits): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

function unwrap(r: PageResult): FlameResult | Uint8Array | undefined {
  if (!r.ok) {
    if ('notFound' in r) return undefined;
    throw fromErrorRecord(r.error);
  }
  return 'flame' in r ? r.flame : r.bytes;
}

export function createPageWork(db: Db): PageWork {
  const run = db.memory ? inline(db) : pooled();
  return {
    flame: async (findingId) => unwrap(await run.task({ dbPath: db.name, findingId, kind: 'flame' })) as FlameResult | undefined,
    profile: async (findingId, profile, limits) => unwrap(await run.task({ dbPath: db.name, findingId, kind: 'profile', profile, limits })) as Uint8Array | undefined,
    close: () => run.close(),
  };
}

interface Runner {
  task(t: PageTask): Promise<PageResult>;
  close(): Promise<void>;
}

function pooled(): Runner {
  const pool = new Piscina<PageTask, PageResult>({
    filename: new URL('./page-worker.js', import.meta.url).href,
    minThreads: 0,
    // One: page views are rare next to scrapes, and the decoders need the other cores.
    maxThreads: 1,
    idleTimeout: 60_000,
  });
  return {
    task: async (t) => {
      try {
        return await pool.run(t);
      } catch (err) {
        throw new HeapwatchError('HW_ERR_DECODER_UNAVAILABLE', `page worker: ${(err as Error).message}`, { cause: err });
      }
    },
    close: () => pool.destroy(),
  };
}

function inline(db: Db): Runner {
  return {
    task: async (t) => {
      const { pageTaskOn } = await import('./page-worker.js');
      return pageTaskOn(db, t);
    },
    close: async () => undefined,
  };
}
