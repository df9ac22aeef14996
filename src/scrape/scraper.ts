/**
 * Fetches one profile over HTTP(S) with hard limits: an overall deadline
 * (which also bounds a slow drip and headers that never end), a compressed
 * size cap enforced while streaming, no cross-host redirects unless allowed
 * (and, when allowed, no credentials sent past the first origin, as Go's
 * net/http and curl do), and TLS verification unless explicitly skipped. It only fetches bytes:
 * decoding is the decoder's job.
 */
import { readFileSync } from 'node:fs';
import { Agent, request, type Dispatcher } from 'undici';
import { HeapwatchError, type ErrorCode } from '../errors.js';
import type { Target } from '../targets/target.js';

/** Limits applied while a profile downloads. */
export interface FetchLimits {
  maxBodyBytes: number;
}

/** A downloaded profile body, not yet decoded. */
export interface FetchedProfile {
  body: Uint8Array;
  status: number;
  contentType: string;
}

/** Fetches one profile from a target; an interface so tests can fake the network. */
export interface Scraper {
  /** Must settle by the target's timeout; rejects with a HeapwatchError. */
  fetch(target: Target, signal?: AbortSignal): Promise<FetchedProfile>;
  close(): Promise<void>;
}

const MAX_REDIRECTS = 5;

/**
 * One scrape's abort signal: its deadline, or `stop` (the loop stopping).
 * Not `AbortSignal.any([AbortSignal.timeout(ms), stop])`: on Node 20 each
 * any() call leaves an entry in the long-lived `stop` signal that is never
 * pruned (nodejs/node#55351), one per scrape; the 10-minute soak showed it
 * as 85,000 WeakRefs and a growing heap. And AbortSignal.timeout keeps its
 * timer for the whole timeout after the scrape is done. dispose() releases
 * both the timer and the listener.
 */
export function scrapeSignal(timeoutMs: number, stop?: AbortSignal): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no complete response within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const onStop = (): void => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    },
  };
}

/** Fetches profiles over HTTP(S) with undici: reused connection agents, a bounded body, bounded redirects that drop credentials off-origin. */
export class HttpScraper implements Scraper {
  readonly #limits: FetchLimits;
  readonly #agents = new Map<string, Agent>();

  constructor(limits: FetchLimits) {
    this.#limits = limits;
  }

  async fetch(target: Target, signal?: AbortSignal): Promise<FetchedProfile> {
    const abort = scrapeSignal(target.timeoutMs, signal);
    let url = new URL(target.fetchUrl);
    const origin = url.origin;
    // Once a redirect has left the target's origin, credentials stay behind for every later hop.
    let leftOrigin = false;
    try {
      for (let hop = 0; ; hop++) {
        const res = await request(url, {
          method: 'GET',
          headers: leftOrigin ? this.#headersWithoutCredentials(target) : this.#headers(target),
          dispatcher: this.#agent(target),
          signal: abort.signal,
        });
        // undici destroys the body with an AbortError if the deadline fires
        // after we stopped reading (a rejected oversized body, a redirect);
        // without a listener that error would be an uncaught exception.
        res.body.on('error', ignore);
        if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
          res.body.destroy();
          const next = new URL(String(res.headers.location), url);
          if (next.origin !== origin && !target.followRedirects) {
            throw new HeapwatchError('HW_ERR_SCRAPE_REDIRECT', `${res.statusCode} to ${next.origin} (set follow_redirects to allow)`);
          }
          if (hop + 1 >= MAX_REDIRECTS) throw new HeapwatchError('HW_ERR_SCRAPE_REDIRECT', `more than ${MAX_REDIRECTS} redirects`);
          if (next.origin !== origin) leftOrigin = true;
          url = next;
          continue;
        }
        if (res.statusCode !== 200) {
          res.body.destroy();
          throw new HeapwatchError('HW_ERR_SCRAPE_HTTP_STATUS', `HTTP ${res.statusCode}`);
        }
        const contentType = String(res.headers['content-type'] ?? '');
        if (/^text\/html/i.test(contentType)) {
          res.body.destroy();
          throw new HeapwatchError('HW_ERR_NOT_PPROF', `content-type ${contentType}`);
        }
        const body = await readCapped(res.body, res.headers['content-length'], this.#limits.maxBodyBytes);
        return { body, status: res.statusCode, contentType };
      }
    } catch (err) {
      if (signal?.aborted) throw new HeapwatchError('HW_ERR_SCRAPE_ABORTED', 'the daemon is stopping', { cause: err });
      if (abort.timedOut()) throw new HeapwatchError('HW_ERR_SCRAPE_TIMEOUT', `no complete response within ${target.timeoutMs} ms`, { cause: err });
      throw classifyFetchError(err);
    } finally {
      abort.dispose();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((a) => a.close()));
    this.#agents.clear();
  }

  #headers(target: Target): Record<string, string> {
    const headers: Record<string, string> = { 'accept-encoding': 'gzip', 'user-agent': 'heapwatch', ...target.headers };
    const auth = target.auth;
    if (auth.kind === 'bearer') {
      // Read per scrape, so a rotated token file is picked up without a reload.
      const token = auth.token ?? readTargetFile(auth.tokenFile!, 'bearer_token_file').trim();
      headers.authorization = `Bearer ${token}`;
    } else if (auth.kind === 'basic') {
      const password = auth.password ?? (auth.passwordFile ? readTargetFile(auth.passwordFile, 'basic_auth.password_file').trim() : '');
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${password}`).toString('base64')}`;
    }
    return headers;
  }

  /** For a hop on another origin: no Authorization (bearer or basic) and no secret_headers. */
  #headersWithoutCredentials(target: Target): Record<string, string> {
    const headers: Record<string, string> = { 'accept-encoding': 'gzip', 'user-agent': 'heapwatch' };
    for (const [name, value] of Object.entries(target.headers)) {
      const lower = name.toLowerCase();
      if (lower !== 'authorization' && lower !== 'cookie' && !target.secretHeaders.includes(lower)) headers[name] = value;
    }
    return headers;
  }

  /** One connection pool per distinct TLS setting. */
  #agent(target: Target): Dispatcher {
    const { caFile, insecureSkipVerify, serverName } = target.tls;
    const key = `${caFile ?? ''}|${insecureSkipVerify}|${serverName ?? ''}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          ca: caFile ? readTargetFile(caFile, 'tls.ca_file') : undefined,
          rejectUnauthorized: !insecureSkipVerify,
          servername: serverName,
        },
        // The overall deadline is the abort signal; these only stop undici's
        // own defaults (300 s) from outliving it.
        headersTimeout: 0,
        bodyTimeout: 0,
        connections: 64,
        keepAliveTimeout: 60_000,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }
}

/** A credential or CA file of a target; a failure is the target's configuration, not the network. */
function readTargetFile(path: string, key: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HeapwatchError('HW_ERR_TARGET_FILE', `${key} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

async function readCapped(body: Dispatcher.ResponseData['body'], contentLength: string | string[] | undefined, max: number): Promise<Uint8Array> {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > max) {
    body.destroy();
    throw new HeapwatchError('HW_ERR_BODY_TOO_LARGE', `Content-Length ${declared} > ${max} bytes`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > max) {
      body.destroy();
      throw new HeapwatchError('HW_ERR_BODY_TOO_LARGE', `more than ${max} bytes received`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, total);
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|CERT_|HOSTNAME_MISMATCH)/;

/** Maps undici/Node network errors onto registered codes. */
export function classifyFetchError(err: unknown): HeapwatchError {
  if (err instanceof HeapwatchError) return err;
  const chain: { code?: string; message?: string }[] = [];
  for (let e: unknown = err; e && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause) {
    chain.push(e);
  }
  const codes = chain.map((e) => e.code ?? '');
  const message = chain.map((e) => e.message).filter(Boolean).join(': ');
  const pick = (code: ErrorCode): HeapwatchError => new HeapwatchError(code, message, { cause: err });
  if (codes.some((c) => TLS_CODES.test(c)) || /certificate|SSL|TLS/i.test(message)) return pick('HW_ERR_SCRAPE_TLS');
  if (codes.some((c) => c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'UND_ERR_CONNECT_TIMEOUT')) return pick('HW_ERR_SCRAPE_TIMEOUT');
  if (codes.some((c) => c === 'ECONNREFUSED' || c === 'ENOTFOUND' || c === 'EHOSTUNREACH' || c === 'EAI_AGAIN' || c === 'ENETUNREACH')) return pick('HW_ERR_SCRAPE_CONNECT');
  if (codes.some((c) => c === 'ECONNRESET' || c === 'UND_ERR_SOCKET' || c === 'EPIPE' || c === 'UND_ERR_CLOSED' || c === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')) return pick('HW_ERR_SCRAPE_RESET');
  return pick('HW_ERR_SCRAPE_CONNECT');
}

function ignore(): void {
  // Errors are handled where the body is read.
}
