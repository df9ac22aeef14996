/**
 * The first step of both decoders: gunzip under a hard output cap, and the
 * limits shared by every decoder. Kept apart from the reference decoder so
 * production code does not load pprof-format.
 */
import { gunzipSync } from 'node:zlib';
import { HeapwatchError } from '../errors.js';

export interface DecodeLimits {
  /** Cap on the decompressed profile size; larger input is rejected as a gzip bomb. */
  maxDecompressedBytes: number;
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
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
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
    const head = Buffer.from(bytes.subarray(0, 60)).toString('utf8').replace(/\s+/g, ' ').trim();
    throw new HeapwatchError('HW_ERR_NOT_PPROF', `body starts with text "${head}"`);
  }
  if (bytes.length > limits.maxDecompressedBytes) {
    throw new HeapwatchError('HW_ERR_DECOMPRESSED_TOO_LARGE', `more than ${limits.maxDecompressedBytes} bytes`);
  }
  return bytes;
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
