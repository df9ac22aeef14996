/**
 * Target sync: runs service discovery for the current config and hands the
 * owned targets to the scrape source. Findings of targets this replica no
 * longer scrapes (removed from the config, or moved to another shard while
 * it was down) are resolved here, or they would stay open in its database
 * for good. The source is named by a narrow interface: pipeline/ never
 * imports scrape/.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { FindingStore } from '../store/findings.js';
import type { StoreReader } from '../store/reader.js';
import { TargetDiscovery } from '../targets/discovery.js';
import { RepeatFilter } from '../targets/repeat-filter.js';
import type { Target } from '../targets/target.js';
import type { Component } from './source.js';

export interface TargetSyncDeps {
  config: Config;
  /** The scrape source's target list. */
  source: { sync(targets: readonly Target[]): Promise<void> };
  /** Origins of other sources (pushed targets): their findings stay open too. */
  alsoOwned?: () => Iterable<{ key: string }>;
  findings: Pick<FindingStore, 'resolveOpenExcept'>;
  reader: Pick<StoreReader, 'targetByKey'>;
  metrics: { targets: { set(n: number): void }; sdErrors: { inc(labels: { source: string }): void } };
  log: Logger;
}

export class TargetSync implements Component {
  readonly name = 'discovery';
  readonly #deps: TargetSyncDeps;
  /** Like scrape errors: a source's failure is logged at warn once, then at debug until it changes. */
  readonly #sdErrorLog = new RepeatFilter();
  #config: Config;
  #discovery: TargetDiscovery | undefined;

  constructor(deps: TargetSyncDeps) {
    this.#deps = deps;
    this.#config = deps.config;
  }

  async start(): Promise<void> {
    await this.#startDiscovery();
    await this.sync();
  }

  async applyConfig(config: Config): Promise<void> {
    this.#config = config;
    await this.#discovery?.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.#discovery?.stop();
    this.#discovery = undefined;
  }

  /** Hands the currently owned targets to the source, then resolves findings of the others. */
  async sync(): Promise<void> {
    const { source, reader, findings, metrics, log } = this.#deps;
    const owned = this.#discovery?.targets() ?? [];
    metrics.targets.set(owned.length);
    await source.sync(owned);
    const ownedIds = [...owned, ...(this.#deps.alsoOwned?.() ?? [])].map((t) => reader.targetByKey(t.key)?.id).filter((id): id is number => id !== undefined);
    const resolved = findings.resolveOpenExcept(ownedIds, Date.now(), 'target no longer scraped by this replica');
    if (resolved > 0) log.info({ resolved }, 'resolved findings of targets no longer scraped');
  }

  async #startDiscovery(): Promise<void> {
    const { metrics, log } = this.#deps;
    const discovery = new TargetDiscovery(this.#config, {
      onChange: () => {
        // Stopped meanwhile (a reload replaced it, or shutdown): its late change must not sync.
        if (this.#discovery !== discovery) return;
        this.sync().catch((err: unknown) => log.error({ err }, 'target sync failed'));
      },
      onError: (source, err, origin) => {
        metrics.sdErrors.inc({ source });
        const level = this.#sdErrorLog.levelFor(`${source}:${origin}`, err.message);
        log[level]({ source, origin, code: err.code, err }, 'service discovery source rejected; keeping its previous targets');
      },
      onRecovered: (source, origin) => this.#sdErrorLog.clear(`${source}:${origin}`),
    });
    this.#discovery = discovery;
    await discovery.start();
  }
}
