/**
 * Refreshes each target's per-function series (inuse and growth over the
 * last hour) after its scrapes, within a fleet-wide budget.
 *
 * Why a budget: a refresh rebuilds the function state at both ends of the
 * hour from SQLite (keyframe plus deltas), a few ms for a small profile but
 * tens of ms for a large service's (thousands of functions, up to a
 * keyframe period of deltas), all on the event loop. Refreshing every
 * target at every 60 s scrape made this the largest serial cost of a fleet
 * of large targets. The series describe an hour's growth, so a refresh
 * every few minutes loses nothing an alert on them could see; a new process
 * epoch and a finding's function are refreshed at once (outside the budget).
 */
import type { StoreReader } from '../store/reader.js';
import type { ProfileOrigin } from '../targets/origin.js';
import type { ExportMetrics } from './metrics.js';

/** What the function export reads and writes: narrow views, so tests can give fakes. */
export interface FunctionExportDeps {
  reader: Pick<StoreReader, 'functionsView'>;
  metrics: Pick<ExportMetrics, 'observeModules' | 'observeTopFunctions'>;
  /** config.export.top_functions, read at each refresh (reloads change it). */
  topFunctions: () => number;
  /** Function names of the target's open findings: always exported. */
  keep: (targetKey: string) => ReadonlySet<string>;
  /** A target is refreshed at most this often (ms), budget permitting. Default 30 s. */
  minRefreshMs?: number;
  /** Budgeted refreshes per second, fleet-wide. Default 5. */
  refreshesPerSecond?: number;
}

/** A stored scrape, as the export needs it to decide whether the target's series are due. */
export interface ExportedScrape {
  target: ProfileOrigin;
  targetId: number;
  transition: string;
  modules: readonly { path: string; version: string }[];
}

/** Refreshes per-target function series after scrapes, within the fleet-wide budget (see above). */
export class FunctionExport {
  readonly #deps: FunctionExportDeps;
  readonly #minRefreshMs: number;
  readonly #rate: number;
  #tokens: number;
  #at: number | undefined;
  /** When each target's series were last refreshed; absent: refresh at its next scrape. */
  readonly #last = new Map<string, number>();
  /** Refreshes done, and due ones postponed for the budget (for tests and the bench). */
  readonly counts = { refreshed: 0, postponed: 0 };

  constructor(deps: FunctionExportDeps) {
    this.#deps = deps;
    this.#minRefreshMs = deps.minRefreshMs ?? 30_000;
    this.#rate = deps.refreshesPerSecond ?? 5;
    this.#tokens = this.#rate;
  }

  /** After a stored, non-stale scrape. */
  onScrape(s: ExportedScrape, now = Date.now()): void {
    const newEpoch = s.transition !== 'same_epoch';
    if (newEpoch) this.#deps.metrics.observeModules(s.target, s.modules);
    const last = this.#last.get(s.target.key);
    if (!newEpoch && last !== undefined) {
      if (now - last < this.#minRefreshMs) return;
      if (!this.#take(now)) {
        this.counts.postponed++;
        return;
      }
    }
    this.#last.set(s.target.key, now);
    this.counts.refreshed++;
    const view = this.#deps.reader.functionsView(s.targetId, 3_600_000, 'growth', 100_000);
    if (!view) return;
    this.#deps.metrics.observeTopFunctions(s.target, view, this.#deps.topFunctions(), this.#deps.keep(s.target.key), view.functions.length);
  }

  /** The target's series are refreshed at its next scrape, whatever the budget (a finding opened or resolved). */
  invalidate(targetKey: string): void {
    this.#last.delete(targetKey);
  }

  /** The target left the config. */
  forget(targetKey: string): void {
    this.#last.delete(targetKey);
  }

  #take(now: number): boolean {
    this.#tokens = Math.min(this.#rate, this.#tokens + ((now - (this.#at ?? now)) / 1000) * this.#rate);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
