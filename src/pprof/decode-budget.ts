/**
 * The memory budget of decoding. Each decode first inflates its body as a
 * stream that is counted and thrown away (zlib runs on libuv's thread pool,
 * so neither the event loop nor a decoder thread holds the output), which
 * refuses a gzip bomb at the size limit without ever holding it. The exact
 * inflated size is then reserved from one budget shared by every decode in
 * flight: decodes queue, first come first served, and never hold more
 * inflated bytes together than the budget. Reserving a known size up front
 * cannot deadlock, as growing reservations could.
 */
import { createGunzip } from 'node:zlib';
import { HeapwatchError } from '../errors.js';
import { isGzip } from './inflate.js';

/**
 * Bytes `body` inflates to, counted while streaming. Rejects with
 * HW_ERR_DECOMPRESSED_TOO_LARGE past `max`. Broken gzip resolves with what
 * was counted: the decoder reports it with its usual code.
 */
export function inflatedSize(body: Uint8Array, max: number): Promise<number> {
  if (!isGzip(body)) {
    if (body.length > max) return Promise.reject(new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${max} bytes`));
    return Promise.resolve(body.length);
  }
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    let total = 0;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
    };
    gunzip.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > max) {
        settle(() => reject(new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${max} bytes`)));
        gunzip.destroy();
      }
    });
    gunzip.on('end', () => settle(() => resolve(total)));
    gunzip.on('error', () => settle(() => resolve(total)));
    gunzip.on('close', () => settle(() => resolve(total)));
    gunzip.end(body);
  });
}

/** A counting semaphore over bytes, FIFO. */
export class ByteBudget {
  #capacity: number;
  #used = 0;
  readonly #queue: { bytes: number; grant: () => void }[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Bytes currently reserved. */
  get used(): number {
    return this.#used;
  }

  /** Decodes waiting for room. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Changes the budget (config reload); waiters that now fit proceed. */
  setCapacity(capacity: number): void {
    this.#capacity = capacity;
    this.#drain();
  }

  /**
   * Resolves with the bytes reserved: `bytes`, clamped to the budget (a
   * single profile never exceeds it, config validation sees to that, but a
   * reload may shrink the budget under a waiting decode).
   */
  acquire(bytes: number): Promise<number> {
    const want = Math.max(0, Math.min(bytes, this.#capacity));
    if (this.#queue.length === 0 && this.#used + want <= this.#capacity) {
      this.#used += want;
      return Promise.resolve(want);
    }
    return new Promise((resolve) => {
      this.#queue.push({ bytes: want, grant: () => resolve(want) });
    });
  }

  release(bytes: number): void {
    this.#used -= bytes;
    this.#drain();
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const bytes = Math.min(head.bytes, this.#capacity);
      if (this.#used + bytes > this.#capacity && this.#used > 0) return;
      this.#queue.shift();
      this.#used += bytes;
      head.grant();
    }
  }
}
