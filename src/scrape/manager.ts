/**
 * Decides which scrape loops run. `sync(targets)` starts loops for new
 * targets, stops loops for removed ones and replaces loops whose settings
 * changed; node-cron drives one tick per second that every loop checks
 * against its own slot. Scraping is the first ProfileSource: it feeds the
 * pipeline through the ProfileSink interface only.
 */
import cron, { type ScheduledTask } from 'node-cron';
import pLimit from 'p-limit';
import type { Config } from '../config/schema.js';
import { cronLogger, type Logger } from '../log.js';
import type { ProfileSink, ProfileSource } from '../pipeline/source.js';
import type { Target } from '../targets/target.js';
import { ScrapeLoop, type LoopStatus } from './loop.js';
import type { FetchLimits, Scraper } from './scraper.js';

export interface ManagerDeps {
  scraper: Scraper;
  sink: ProfileSink;
  maxConcurrentScrapes: number;
  /** The scraper's limits holder: applyConfig changes it in place. */
  fetchLimits?: FetchLimits;
  onSkip?: (target: Target) => void;
  onTargetsChanged?: (added: Target[], removed: Target[]) => void;
  /** Where node-cron's own warnings go (a missed tick under load); without it they are dropped. */
  log?: Logger;
}

export interface TargetStatus extends LoopStatus {
  target: Target;
}

export class ScrapeManager implements ProfileSource {
  readonly name = 'scrape';
  readonly #deps: ManagerDeps;
  readonly #loops = new Map<string, ScrapeLoop>();
  readonly #limit;
  #task: ScheduledTask | undefined;
  /** Syncs run one after another: two at once could each see the other's half-done loop map. */
  #syncing: Promise<void> = Promise.resolve();

  constructor(deps: ManagerDeps) {
    this.#deps = deps;
    this.#limit = pLimit(deps.maxConcurrentScrapes);
  }

  async start(): Promise<void> {
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

  applyConfig(config: Config): void {
    this.setConcurrency(config.global.max_concurrent_scrapes);
    if (this.#deps.fetchLimits) this.#deps.fetchLimits.maxBodyBytes = config.global.max_body_bytes;
  }

  origins(): Iterable<Target> {
    return this.targets();
  }

  /**
   * Applies a new target list; returns when removed loops have stopped, so a
   * removed target's last scrape is through the sink before
   * `onTargetsChanged` reports it removed.
   */
  sync(targets: readonly Target[]): Promise<void> {
    const run = this.#syncing.then(() => this.#sync(targets));
    this.#syncing = run.catch(() => undefined);
    return run;
  }

  async #sync(targets: readonly Target[]): Promise<void> {
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

  targets(): Target[] {
    return [...this.#loops.values()].map((l) => l.target);
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = undefined;
    const loops = [...this.#loops.values()];
    this.#loops.clear();
    await Promise.all(loops.map((l) => l.stop()));
    await this.#deps.scraper.close();
  }
}

function ignore(): void {
  // node-cron's messages are dropped when no logger is given (tests).
}

function sameSettings(a: Target, b: Target): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
