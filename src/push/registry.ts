/**
 * The pushed series heapwatch knows, each a target (origin) identified by its
 * identity labels: `service_name` plus `push.identity_labels`. Created by its
 * first push, down after `push.down_after` without one, forgotten after
 * `push.forget_after` (which frees its place under `push.max_targets`; its
 * stored history and findings stay, and come back with it).
 */
import type { ProfileKind } from '../targets/origin.js';
import { recordCollection, type ArrivalOutcome, type CollectionStatus } from '../targets/status.js';
import type { ProfileCountLimits, Target } from '../targets/target.js';

/** A scrape loop's fields, so /api/v1/targets shows both alike. */
export interface PushedStatus extends CollectionStatus {
  target: Target;
}

export interface RegistrySettings {
  identityLabels: readonly string[];
  intervalMs: number;
  downAfterMs: number;
  forgetAfterMs: number;
  maxTargets: number;
  limits: ProfileCountLimits;
}

export interface RegistryHooks {
  onAdded(target: Target): void;
  /** Marked down (silent for down_after). */
  onDown(target: Target): void;
  /** Forgotten (silent for forget_after). */
  onRemoved(target: Target): void;
}

interface Entry {
  status: PushedStatus;
  lastPushAt: number;
  /** The last `__session_id__` per profile kind: heap and goroutine series of one process share the target. */
  sessions: Map<ProfileKind, string>;
}

/** Canonical identity: sorted `name="value"` pairs, values JSON-escaped. */
export function identityOf(labels: Readonly<Record<string, string>>, identityLabels: readonly string[]): { key: string; labels: Record<string, string> } {
  const service = labels.service_name ?? labels.service ?? 'unknown_service';
  const identity: Record<string, string> = { service_name: service };
  for (const name of identityLabels) {
    const v = labels[name];
    if (v !== undefined && v !== '' && name !== 'service_name') identity[name] = v;
  }
  const canonical = Object.keys(identity)
    .sort()
    .map((k) => `${k}=${JSON.stringify(identity[k])}`)
    .join(',');
  return { key: `push:{${canonical}}`, labels: identity };
}

export class PushedTargets {
  readonly #entries = new Map<string, Entry>();
  readonly #hooks: RegistryHooks;
  #settings: RegistrySettings;

  constructor(settings: RegistrySettings, hooks: RegistryHooks) {
    this.#settings = settings;
    this.#hooks = hooks;
  }

  configure(settings: RegistrySettings): void {
    this.#settings = settings;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether the series would be admitted: known, or room for a new one. */
  admits(labels: Readonly<Record<string, string>>, pending: ReadonlySet<string>): { key: string; ok: boolean } {
    const { key } = identityOf(labels, this.#settings.identityLabels);
    return { key, ok: this.#entries.has(key) || pending.has(key) || this.#entries.size + pending.size < this.#settings.maxTargets };
  }

  /** The target for the labels, created (and announced) if new. Call `admits` first. */
  ensure(labels: Readonly<Record<string, string>>, now: number): Target {
    const { key, labels: identity } = identityOf(labels, this.#settings.identityLabels);
    const known = this.#entries.get(key);
    if (known) return known.status.target;
    const target = this.#target(key, identity);
    this.#entries.set(key, {
      status: { target, health: 'unknown', lastOutcome: null, lastScrapeAt: null, lastDurationMs: null, lastError: null, scrapes: 0, failures: 0, skipped: 0, nextDueAt: now + this.#settings.intervalMs },
      lastPushAt: now,
      sessions: new Map(),
    });
    this.#hooks.onAdded(target);
    return target;
  }

  /**
   * Whether `sessionId` differs from the last one the target pushed a
   * profile of this kind with (pyroscope-go's `__session_id__`: a new
   * process). Per kind: the process's goroutine series may arrive first.
   */
  isNewSession(key: string, kind: ProfileKind, sessionId?: string): boolean {
    const known = this.#entries.get(key)?.sessions.get(kind);
    return sessionId !== undefined && known !== undefined && sessionId !== known;
  }

  /**
   * Records a push's outcome. Returns true when the pusher's process changed
   * (pyroscope-go's `__session_id__` label), once per new process, for the log.
   */
  record(key: string, at: number, durationMs: number, outcome: ArrivalOutcome, sessionId?: string, kind: ProfileKind = 'heap'): boolean {
    const e = this.#entries.get(key);
    if (!e) return false;
    e.lastPushAt = at;
    recordCollection(e.status, at, durationMs, outcome);
    e.status.nextDueAt = at + this.#settings.intervalMs;
    // Only a profile that was stored moves the session on: a new process's
    // first profile refused (malformed) leaves its next one to open the epoch.
    if (!outcome.ok || sessionId === undefined) return false;
    const seen = [...e.sessions.values()].includes(sessionId);
    const restarted = this.isNewSession(key, kind, sessionId) && !seen;
    e.sessions.set(kind, sessionId);
    return restarted;
  }

  /** Marks silent targets down and forgets long-silent ones. */
  sweep(now: number): void {
    for (const [key, e] of this.#entries) {
      const silent = now - e.lastPushAt;
      if (silent >= this.#settings.forgetAfterMs) {
        this.#entries.delete(key);
        this.#hooks.onRemoved(e.status.target);
      } else if (silent >= this.#settings.downAfterMs && e.status.health !== 'down') {
        e.status.health = 'down';
        this.#hooks.onDown(e.status.target);
      }
    }
  }

  status(): PushedStatus[] {
    return [...this.#entries.values()].map((e) => ({ ...e.status }));
  }

  targets(): Target[] {
    return [...this.#entries.values()].map((e) => e.status.target);
  }

  /** Forgets every pushed target (stop). */
  clear(): void {
    for (const e of this.#entries.values()) this.#hooks.onRemoved(e.status.target);
    this.#entries.clear();
  }

  #target(key: string, identity: Record<string, string>): Target {
    const service = identity.service_name!;
    const rest = Object.entries(identity).filter(([k]) => k !== 'service_name');
    // Every target has service and instance: the pushed `instance` label, else the other identity labels, else "push".
    const instance = identity.instance ?? (rest.length > 0 ? rest.map(([k, v]) => `${k}=${v}`).join(',') : 'push');
    return {
      key,
      url: key,
      // Never fetched; a URL all the same (`push:` scheme), as code that redacts secrets parses it.
      fetchUrl: key,
      labels: Object.freeze({ ...identity, service, instance }),
      intervalMs: this.#settings.intervalMs,
      timeoutMs: this.#settings.intervalMs,
      headers: {},
      secretHeaders: [],
      auth: { kind: 'none' },
      tls: { insecureSkipVerify: false },
      followRedirects: false,
      limits: this.#settings.limits,
      source: 'push',
    };
  }
}
