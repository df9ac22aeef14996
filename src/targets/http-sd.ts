/**
 * Prometheus-style HTTP discovery: each `http_sd` URL answers a GET with
 * `200`, `Content-Type: application/json` and the file_sd document
 * `[{ "targets": [...], "labels": {...} }]`. Each endpoint is polled every
 * refresh_interval. As in Prometheus, an endpoint whose refresh fails keeps
 * its last good targets (a flapping SD server must not empty the fleet) and
 * the failure is reported.
 */
import type { Config, HttpSdConfig } from '../config/schema.js';
import { HeapwatchError } from '../errors.js';
import { parseTargetGroups, targetsFromGroups, type FileSdEvents } from './file-sd.js';
import { redactUrl, redactUserinfo } from './redact.js';
import { printable } from './repeat-filter.js';
import type { Target } from './target.js';

/** http_sd reports like file_sd: the origin is the (redacted) URL. */
export type HttpSdEvents = FileSdEvents;

/** Bounds on one http_sd request. */
export interface HttpSdOptions {
  /** Per request, body included. Default 10 s. */
  timeoutMs?: number;
  /** Largest accepted body. Default 10 MiB, as a target list, not a dump. */
  maxBodyBytes?: number;
}

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/** Polls the http_sd blocks of one config; `targets()` is the current union. */
export class HttpDiscovery {
  readonly #config: Config;
  readonly #events: HttpSdEvents;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  /** Last good targets per block (by index: two blocks may share a URL with different settings). */
  readonly #byBlock = new Map<number, Target[]>();
  readonly #inFlight = new Map<number, Promise<boolean>>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #stopping = new AbortController();

  constructor(config: Config, events: HttpSdEvents, options: HttpSdOptions = {}) {
    this.#config = config;
    this.#events = events;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  }

  /** Starts polling; the first results arrive through onChange, not before start() returns. */
  start(): void {
    if (this.#config.http_sd.length === 0) return;
    void this.refresh();
    this.#config.http_sd.forEach((block, i) => {
      const t = setInterval(() => void this.#poll(block, i).then((changed) => changed && this.#notify()), block.refresh_interval);
      t.unref();
      this.#timers.push(t);
    });
  }

  /** Polls every endpoint once; notifies once if the union changed. Never rejects. */
  async refresh(): Promise<void> {
    const changed = await Promise.all(this.#config.http_sd.map((block, i) => this.#poll(block, i)));
    if (changed.some(Boolean)) this.#notify();
  }

  targets(): Target[] {
    return [...this.#byBlock.values()].flat();
  }

  /** Stops polling and aborts requests in flight; their failures are not reported. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#stopping.abort();
    await Promise.all(this.#inFlight.values());
  }

  #notify(): void {
    if (!this.#stopping.signal.aborted) this.#events.onChange();
  }

  /**
   * One refresh of one endpoint; true if its targets changed. A poll already
   * in flight is joined, not doubled (a slow server must not pile up
   * requests); only the poll that did the work reports the change.
   */
  #poll(block: HttpSdConfig, i: number): Promise<boolean> {
    const running = this.#inFlight.get(i);
    if (running) return running.then(() => false);
    const p = this.#update(block, i).finally(() => this.#inFlight.delete(i));
    this.#inFlight.set(i, p);
    return p;
  }

  async #update(block: HttpSdConfig, i: number): Promise<boolean> {
    let next: Target[];
    try {
      const groups = await this.#fetchGroups(block.url);
      next = targetsFromGroups(groups, block, this.#config.global, `http_sd:${redactUrl(block.url)}`);
    } catch (err) {
      if (this.#stopping.signal.aborted) return false;
      const e = err instanceof HeapwatchError ? err : new HeapwatchError('HW_ERR_SD_HTTP', `${block.url}: ${describe(err, this.#timeoutMs)}`);
      // The endpoint's URL may carry userinfo; the message is logged and counted.
      e.message = printable(redactUserinfo(e.message), 500);
      this.#events.onError(e, redactUrl(block.url));
      return false;
    }
    this.#events.onRecovered?.(redactUrl(block.url));
    const before = this.#byBlock.get(i);
    this.#byBlock.set(i, next);
    return JSON.stringify(before) !== JSON.stringify(next);
  }

  async #fetchGroups(url: string): Promise<ReturnType<typeof parseTargetGroups>> {
    // The endpoint failed (status, redirect, size, time) or its document is invalid.
    const fail = (cause: string): HeapwatchError => new HeapwatchError('HW_ERR_SD_HTTP', `${url}: ${cause}`);
    const invalid = (cause: string): HeapwatchError => new HeapwatchError('HW_ERR_SD_FILE_INVALID', `${url}: ${cause}`);
    // The timeout covers the body too: a server that trickles bytes is as stuck as one that never answers.
    const signal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), this.#stopping.signal]);
    // 'manual': a redirect could point discovery at any host (an SSRF pivot), so none is followed.
    const res = await fetch(url, { redirect: 'manual', signal, headers: { accept: 'application/json' } });
    try {
      if (res.status >= 300 && res.status < 400) throw fail(`HTTP ${res.status} redirect to ${res.headers.get('location') ?? '(no location)'} not followed`);
      if (res.status !== 200) throw fail(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
      const type = res.headers.get('content-type') ?? '';
      if (!JSON_TYPE.test(type)) throw fail(`not JSON: Content-Type is "${type}", expected application/json`);
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > this.#maxBodyBytes) throw fail(`body too large: ${declared} bytes declared, limit ${this.#maxBodyBytes}`);
      const text = await this.#readCapped(res, fail);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw invalid(`not JSON: ${(err as Error).message}`);
      }
      // file_sd reads an empty file as no targets; an SD server must say `[]` explicitly, so `null` is an error.
      if (!Array.isArray(raw)) throw invalid('expected a JSON array of target groups');
      return parseTargetGroups(text, url, 'json');
    } finally {
      // Free the socket whatever happened; a no-op once the body was read.
      await res.body?.cancel().catch(() => undefined);
    }
  }

  /** Reads the body, counting bytes as they stream: Content-Length may be absent or lie. */
  async #readCapped(res: Response, fail: (cause: string) => HeapwatchError): Promise<string> {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > this.#maxBodyBytes) throw fail(`body too large: more than ${this.#maxBodyBytes} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  // fetch wraps every network error as "fetch failed"; the useful part is the cause.
  if (e.cause?.message) return `request failed: ${e.cause.code ? `${e.cause.code} ` : ''}${e.cause.message}`;
  return e.message ?? String(err);
}
