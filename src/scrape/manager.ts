/**
 * Decides which scrape loops run. `sync(targets)` starts loops for new
 * targets, stops loops for removed ones and replaces loops whose settings
 * changed; node-cron drives one tick per second that every loop checks
 * against its own slot.
 */
import cron, { type ScheduledTask } from 'node-cron';
import pLimit from 'p-limit';
import { cronLogger, type Logger } from '../log.js';
import type { Target } from '../targets/target.js';
import { ScrapeLoop, type LoopStatus } from './loop.js';
import type { Scraper } from './scraper.js';
import type { ScrapeSink } from './sink.js';

export interface ManagerDeps {
  scraper: Scraper;
  sink: ScrapeSink;
  maxConcurrentScrapes: number;
  onSkip?: (target: Target) => void;
  onTargetsChanged?: (added: Target[], removed: Target[]) => void;
  /** Where node-cron's own warnings go (a missed tick under load); without it they are dropped. */
  log?: Logger;
}

export interface TargetStatus extends LoopStatus {
  target: Target;
}

export class ScrapeManager {
  readonly #deps: ManagerDeps;
  readonly #loops = new Map<string, ScrapeLoop>();
  readonly #limit;
  #task: ScheduledTask | undefined;

  constructor(deps: ManagerDeps) {
    this.#deps = deps;
    this.#limit = pLimit(deps.maxConcurrentScrapes);
  }

  start(): void {
    // Every second: the finest interval we accept is 1 s, and a loop's slot
    // is checked at most one tick late.
    const log = this.#deps.log;
    this.#task = cron.schedule('* * * * * *', () => this.tick(Date.now()), {
      name: 'heapwatch-scrape-tick',
      logger: log ? cronLogger(log) : { info: ignore, warn: ignore, error: ignore, debug: ignore },
    });
  }

  tick(now: number): void {
    for (const loop of this.#loops.values()) loop.tick(now);
  }

  /** Applies a new target list; returns when removed loops have stopped. */
  async sync(targets: readonly Target[]): Promise<void> {
    const next = new Map(targets.map((t) => [t.key, t]));
    const removed: Target[] = [];
    const added: Target[] = [];
    const stopping: Promise<void>[] = [];
    for (const [key, loop] of this.#loops) {
      const t = next.get(key);
      if (!t || !sameSettings(loop.target, t)) {
        this.#loops.delete(key);
        stopping.push(loop.stop());
        if (!t) removed.push(loop.target);
      }
    }
    const now = Date.now();
    for (const [key, t] of next) {
      if (this.#loops.has(key)) continue;
      this.#loops.set(key, new ScrapeLoop(t, { scraper: this.#deps.scraper, sink: this.#deps.sink, limit: this.#limit, onSkip: this.#deps.onSkip }, now));
      added.push(t);
    }
    await Promise.all(stopping);
    this.#deps.onTargetsChanged?.(added, removed);
  }

  /** Scrapes holding a global slot, waiting for one, and the cap (for the skipped-slot warning). */
  load(): { active: number; pending: number; limit: number } {
    return { active: this.#limit.activeCount, pending: this.#limit.pendingCount, limit: this.#limit.concurrency };
  }

  /** Changes the global cap on concurrent scrapes (config reload). */
  setConcurrency(n: number): void {
    this.#limit.concurrency = n;
  }

  status(): TargetStatus[] {
    return [...this.#loops.values()].map((l) => ({ target: l.target, ...l.status }));
  }

  /** Whether a target (by key) is currently scraped. */
  has(key: string): boolean {
    return this.#loops.has(key);
  }

  targets(): Target[] {
    return [...this.#loops.values()].map((l) => l.target);
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = undefined;
    const loops = [...this.#loops.values()];
    this.#loops.clear();
    await Promise.all(loops.map((l) => l.stop()));
  }
}

function ignore(): void {
  // node-cron's messages are dropped when no logger is given (tests).
}

function sameSettings(a: Target, b: Target): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
