/**
 * The first step of both decoders: gunzip under a hard output cap, and the
 * limits shared by every decoder. Kept apart from the reference decoder so
 * production code does not load pprof-format.
 */
import { gunzipSync } from 'node:zlib';
import { HeapwatchError } from '../errors.js';

/** Bounds on what decoding one profile may cost, so hostile input fails fast with a clear error. */
export interface DecodeLimits {
  /** Cap on the decompressed profile size; larger input is rejected as a gzip bomb. */
  maxDecompressedBytes: number;
  /** Per-profile count limits (Prometheus's sample_limit); unset means unlimited. */
  maxSamples?: number;
  maxLocations?: number;
  maxFunctions?: number;
}

/** Refuses a profile with more samples, locations or functions than its limits, each with its own code. */
export function checkProfileCounts(counts: { samples: number; locations: number; functions: number }, limits: DecodeLimits): void {
  const over = (n: number, max: number | undefined): boolean => max !== undefined && n > max;
  if (over(counts.functions, limits.maxFunctions)) {
    throw new HeapwatchError('HW_ERR_PROFILE_TOO_MANY_FUNCTIONS', `${counts.functions} > ${limits.maxFunctions}`);
  }
  if (over(counts.locations, limits.maxLocations)) {
    throw new HeapwatchError('HW_ERR_PROFILE_TOO_MANY_LOCATIONS', `${counts.locations} > ${limits.maxLocations}`);
  }
  if (over(counts.samples, limits.maxSamples)) {
    throw new HeapwatchError('HW_ERR_PROFILE_TOO_MANY_SAMPLES', `${counts.samples} > ${limits.maxSamples}`);
  }
}

/**
 * Expanded frames allowed per byte of the inflated profile. A tiny crafted
 * profile (one location with thousands of inline lines, listed thousands of
 * times by one sample) would otherwise expand to gigabytes of frames. Real Go
 * profiles use well under one frame per byte.
 */
export const FRAMES_PER_BYTE = 16;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Gunzips when needed, under a hard output cap, so a gzip bomb costs bounded memory. */
export function inflateProfile(bytes: Uint8Array, limits: DecodeLimits): Uint8Array {
  if (isGzip(bytes)) {
    try {
      return gunzipSync(bytes, { maxOutputLength: limits.maxDecompressedBytes });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${limits.maxDecompressedBytes} bytes`, { cause: err });
      }
      throw new HeapwatchError('HW_ERR_PROFILE_GZIP', (err as Error).message, { cause: err });
    }
  }
  if (looksLikeText(bytes)) {
    const text = Buffer.from(bytes.subarray(0, 60)).toString('utf8');
    const head = text.replace(/\s+/g, ' ').trim();
    // `?debug=1` (or 2) makes Go's pprof handlers serve their legacy text form.
    const legacy = LEGACY_TEXT_PROFILE.exec(text)?.[1];
    const hint = legacy ? `: Go's text ${legacy} profile (?debug=1); heapwatch reads the binary form, served without debug (/debug/pprof/${legacy})` : '';
    throw new HeapwatchError('HW_ERR_NOT_PPROF', `body starts with text "${head}"${hint}`);
  }
  if (bytes.length > limits.maxDecompressedBytes) {
    throw new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${limits.maxDecompressedBytes} bytes`);
  }
  return bytes;
}

/** The first line of a Go profile's legacy text form: "heap profile: 3: 1536 [...] @ heap/524288", "goroutine profile: total 12". */
/** Go's legacy text form of a heap or goroutine profile (`?debug=1`). */
export const LEGACY_TEXT_PROFILE = /^\s*(heap|goroutine) profile:/;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
}

/** An HTML error page or a text message served where a profile was expected. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 64);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    const printable = b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f);
    if (!printable) return false;
  }
  return true;
}
