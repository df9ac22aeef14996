/**
 * Decoding blocks for milliseconds to hundreds of milliseconds on large
 * profiles, so it runs on worker threads: the API and /metrics stay responsive while a fleet's
 * profiles decode. It lives in pipeline/, so pprof/ stays pure (no threads, no I/O).
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { fromErrorRecord, HeapwatchError } from '../errors.js';
import { ByteBudget, inflatedSize } from '../pprof/decode-budget.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import type { DecodeResult, DecodeTask } from './decode-worker.js';
import type { HeapProfile } from '../pprof/profile.js';
import type { ProfileKind } from '../pprof/kind.js';

export interface ProfileDecoder {
  /** Decodes a profile of `kind` (default heap); goroutine kinds come back in the same HeapProfile form. */
  decode(bytes: Uint8Array, limits: DecodeLimits, kind?: ProfileKind): Promise<HeapProfile>;
  /** Changes the budget of inflated bytes in flight (config reload). */
  setBudget(bytes: number): void;
  close(): Promise<void>;
}

export interface DecoderPoolOptions {
  /** Worker threads; defaults to one fewer than the cores (at least one). */
  threads?: number;
  /** Inflated bytes of all decodes in flight together (global.max_decoding_bytes). */
  budgetBytes: number;
}

export function createDecoderPool(options: DecoderPoolOptions): ProfileDecoder {
  const budget = new ByteBudget(options.budgetBytes);
  const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
  const pool = new Piscina<DecodeTask, DecodeResult>({
    filename: new URL('./decode-worker.js', import.meta.url).href,
    minThreads: 1,
    maxThreads: threads,
    idleTimeout: 30_000,
    // A decode that needs more than this heap is hostile input; the worker dies
    // with ERR_WORKER_OUT_OF_MEMORY and the scrape fails, the daemon does not.
    // A small young generation: since stacks decode into typed arrays, a 64 MB
    // one no longer made big profiles faster (5 MB profile: 247 ms at 8 MB,
    // 309 ms at 64 MB, medians in one run), and it was resident memory.
    resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 8 },
  });
  return {
    async decode(bytes, limits, kind) {
      const size = await inflatedSize(bytes, limits.maxDecompressedBytes);
      const reserved = await budget.acquire(size);
      let result: DecodeResult;
      try {
        result = await pool.run({ bytes, limits, kind });
      } catch (err) {
        throw new HeapwatchError('HW_ERR_DECODER_UNAVAILABLE', (err as Error).message, { cause: err });
      } finally {
        budget.release(reserved);
      }
      if (!result.ok) throw fromErrorRecord(result.error);
      return result.profile;
    },
    setBudget(bytes) {
      budget.setCapacity(bytes);
    },
    async close() {
      await pool.destroy();
    },
  };
}
