/**
 * When the daemon cannot keep up, it says so: skipped scrape slots are
 * counted per target in heapwatch_scrape_skipped_total, and at most once a
 * minute a warning names the cause, so an operator reading the log learns
 * what to change without correlating metrics.
 *
 * A loop skips its slot when its previous scrape has not finished. Either
 * every global scrape slot is busy and scrapes queue for one (the daemon
 * cannot decode and store profiles as fast as they come due), or the target
 * itself is slower than its interval.
 */
import type { Logger } from '../log.js';
import type { Target } from '../targets/target.js';

/** The global scrape slots at one moment: tells a busy daemon from a slow target. */
export interface ScrapeLoad {
  /** Scrapes holding a global slot (fetching, decoding or storing). */
  active: number;
  /** Scrapes waiting for a global slot. */
  pending: number;
  /** max_concurrent_scrapes. */
  limit: number;
}

/** Collects skipped slots and logs at most one warning a minute naming the likely cause (see above). */
export class SkipWarning {
  readonly #log: Logger;
  readonly #load: () => ScrapeLoad;
  readonly #everyMs: number;
  #since = 0;
  #last = -Infinity;
  readonly #targets = new Set<string>();

  constructor(log: Logger, load: () => ScrapeLoad, everyMs = 60_000) {
    this.#log = log;
    this.#load = load;
    this.#everyMs = everyMs;
  }

  note(target: Target, now = Date.now()): void {
    this.#since++;
    this.#targets.add(target.key);
    if (now - this.#last < this.#everyMs) return;
    const load = this.#load();
    const saturated = load.pending > 0 || load.active >= load.limit;
    this.#log.warn(
      {
        skipped: this.#since,
        targets: this.#targets.size,
        example: target.url,
        scrapesActive: load.active,
        scrapesWaiting: load.pending,
        maxConcurrentScrapes: load.limit,
        cause: saturated ? 'saturated' : 'slow_targets',
      },
      saturated
        ? 'scrape slots skipped: the daemon cannot keep up, every scrape slot is busy decoding and storing profiles and more scrapes wait for one; give it more cores, lengthen scrape_interval or shard the fleet'
        : 'scrape slots skipped: these targets take longer to answer than their scrape interval; lengthen their scrape_interval or lower scrape_timeout',
    );
    this.#last = now;
    this.#since = 0;
    this.#targets.clear();
  }
}
