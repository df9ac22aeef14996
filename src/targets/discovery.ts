/**
 * Every target source of one config in one place: static targets, file_sd
 * and http_sd, deduplicated by identity and filtered to this replica's shard.
 * `onChange` fires when a discovery source changed its set.
 */
import type { Config } from '../config/schema.js';
import type { HeapwatchError } from '../errors.js';
import { staticTargets } from './build.js';
import { FileDiscovery } from './file-sd.js';
import { HttpDiscovery } from './http-sd.js';
import { ownedBy } from './shard.js';
import type { Target } from './target.js';

/** How discovery tells the daemon its set changed, a source failed, or recovered. */
export interface DiscoveryEvents {
  onChange: () => void;
  /** `origin`: the file or (redacted) URL that failed. */
  onError: (source: 'file_sd' | 'http_sd', err: HeapwatchError, origin: string) => void;
  onRecovered?: (source: 'file_sd' | 'http_sd', origin: string) => void;
}

/** The targets of one config from every source, deduplicated and sharded (see above). */
export class TargetDiscovery {
  readonly #config: Config;
  readonly #files: FileDiscovery;
  readonly #http: HttpDiscovery;

  constructor(config: Config, events: DiscoveryEvents) {
    this.#config = config;
    this.#files = new FileDiscovery(config, {
      onChange: events.onChange,
      onError: (e, origin) => events.onError('file_sd', e, origin),
      onRecovered: (origin) => events.onRecovered?.('file_sd', origin),
    });
    this.#http = new HttpDiscovery(config, {
      onChange: events.onChange,
      onError: (e, origin) => events.onError('http_sd', e, origin),
      onRecovered: (origin) => events.onRecovered?.('http_sd', origin),
    });
  }

  /** Starts watching; resolves once the first http_sd answers (or fail) are in. */
  async start(): Promise<void> {
    await this.#files.start();
    this.#http.start();
    await this.#http.refresh();
  }

  /** This replica's targets. */
  targets(): Target[] {
    const all = [...staticTargets(this.#config), ...this.#files.targets(), ...this.#http.targets()];
    const unique = [...new Map(all.map((t) => [t.key, t])).values()];
    return ownedBy(unique, this.#config.shard);
  }

  async stop(): Promise<void> {
    await Promise.all([this.#files.stop(), this.#http.stop()]);
  }
}
