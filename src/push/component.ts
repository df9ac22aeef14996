/**
 * The push source, a ProfileSource next to scraping: receivers, pushed-target
 * registry, rate limits and their lifecycle (start / applyConfig / stop). It
 * feeds the pipeline's ProfileSink. Off unless `push.enabled`. On
 * `push.listen` it runs its own HTTP server; otherwise daemon/build.ts mounts
 * `plugin` on the API server.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import { HeapwatchError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Target } from '../targets/target.js';
import { pushCredentials, type PushCredentials } from './auth.js';
import { PushMetrics } from './metrics.js';
import type { ProfileOrigin, ProfileSource } from './pipeline-types.js';
import { TenantRateLimiter } from './rate-limit.js';
import { PushReceiver, type PushSink } from './receiver.js';
import { PushedTargets, type PushedStatus, type RegistryHooks, type RegistrySettings } from './registry.js';
import { pushRoutes } from './routes.js';

export interface PushSourceDeps {
  config: Config;
  sink: PushSink;
  registry: Registry;
  log: Logger;
  /** Scraped targets (scrape wins when both cover a service and instance). */
  scraped: () => readonly Target[];
  hooks: RegistryHooks;
  /** False until the pipeline can take profiles (the database is open): the receivers answer 503. */
  ready: () => boolean;
}

/** How often silent pushed targets are marked down or forgotten. */
const SWEEP_MS = 1_000;

export class PushSource implements ProfileSource {
  readonly name = 'push';
  readonly #deps: PushSourceDeps;
  readonly #targets: PushedTargets;
  readonly #limiter: TenantRateLimiter;
  readonly #metrics: PushMetrics;
  readonly #receiver: PushReceiver;
  #config: Config;
  #credentials: PushCredentials;
  #server: FastifyInstance | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #address: string | undefined;

  constructor(deps: PushSourceDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    // Read now: a missing token or password file is a config error before anything starts.
    this.#credentials = pushCredentials(deps.config.push);
    this.#metrics = new PushMetrics(deps.registry);
    this.#targets = new PushedTargets(settingsOf(deps.config), deps.hooks);
    this.#limiter = new TenantRateLimiter(deps.config.push.rate_limit.requests_per_second, deps.config.push.rate_limit.burst);
    this.#receiver = new PushReceiver({
      sink: deps.sink,
      registry: this.#targets,
      metrics: this.#metrics,
      log: deps.log,
      scraped: deps.scraped,
      maxDecompressedBytes: () => this.#config.global.max_decompressed_bytes,
      identityLabels: () => this.#config.push.identity_labels,
    });
  }

  get enabled(): boolean {
    return this.#config.push.enabled;
  }

  /** True when the receivers have their own listener (`push.listen`). */
  get ownListener(): boolean {
    return this.enabled && this.#config.push.listen !== undefined;
  }

  /** The own listener's address once started. */
  get address(): string | undefined {
    return this.#address;
  }

  /** The receivers as a fastify plugin (for the API server when there is no `push.listen`). */
  plugin(): (scope: FastifyInstance) => Promise<void> {
    return pushRoutes({
      receiver: this.#receiver,
      limiter: this.#limiter,
      metrics: this.#metrics,
      credentials: () => this.#credentials,
      ready: this.#deps.ready,
      maxBodyBytes: () => this.#config.global.max_body_bytes,
      maxDecompressedBytes: () => this.#config.global.max_decompressed_bytes,
      log: this.#deps.log,
    });
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    this.#sweep = setInterval(() => {
      this.#targets.sweep(Date.now());
      this.#metrics.targets.set(this.#targets.size);
    }, SWEEP_MS);
    this.#sweep.unref();
    const listen = this.#config.push.listen;
    if (listen === undefined) return;
    const logger: FastifyBaseLogger = this.#deps.log;
    const server = Fastify({
      loggerInstance: logger,
      logController: new LogController({ disableRequestLogging: true }),
    });
    await server.register(this.plugin());
    const i = listen.lastIndexOf(':');
    try {
      this.#address = await server.listen({ host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) });
    } catch (err) {
      clearInterval(this.#sweep);
      const code = (err as NodeJS.ErrnoException).code;
      throw new HeapwatchError('HW_ERR_API_LISTEN', `push.listen ${listen}: ${code === 'EADDRINUSE' ? 'address already in use' : (err as Error).message}`, { cause: err });
    }
    this.#server = server;
    this.#deps.log.info({ address: this.#address }, 'push receivers listening');
  }

  /** Credentials, limits, identity labels and timings apply at once; `enabled` and `listen` after a restart. */
  applyConfig(config: Config): void {
    let credentials: PushCredentials;
    try {
      credentials = pushCredentials(config.push);
    } catch (err) {
      // A token or password file that cannot be read: the receivers keep the credentials they have.
      this.#deps.log.error({ err }, 'push credentials cannot be read; keeping the running ones');
      credentials = this.#credentials;
    }
    if (config.push.enabled !== this.#config.push.enabled || config.push.listen !== this.#config.push.listen) {
      this.#deps.log.warn('push.enabled and push.listen take effect only after a restart');
    }
    this.#config = { ...config, push: { ...config.push, enabled: this.#config.push.enabled, listen: this.#config.push.listen } };
    this.#credentials = credentials;
    this.#targets.configure(settingsOf(config));
    this.#limiter.configure(config.push.rate_limit.requests_per_second, config.push.rate_limit.burst);
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweep);
    await this.#server?.close();
    this.#server = undefined;
  }

  origins(): Iterable<ProfileOrigin> {
    return this.#targets.targets();
  }

  /** For /api/v1/targets: one row per pushed target, like a scrape loop's. */
  status(): PushedStatus[] {
    return this.#targets.status();
  }
}

function settingsOf(config: Config): RegistrySettings {
  const p = config.push;
  return {
    identityLabels: p.identity_labels,
    intervalMs: p.interval,
    downAfterMs: p.down_after,
    forgetAfterMs: p.forget_after,
    maxTargets: p.max_targets,
    limits: { maxSamples: config.global.max_samples, maxLocations: config.global.max_locations, maxFunctions: config.global.max_functions },
  };
}
