/**
 * Worker-thread entry point for the decoder pool. Errors are returned as data
 * rather than thrown: structured clone would strip the error code.
 */
import { toErrorRecord, type ErrorRecord } from '../errors.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import { decodeHeapProfileFast } from '../pprof/fast-decode.js';
import type { HeapProfile } from '../pprof/profile.js';

export interface DecodeTask {
  bytes: Uint8Array;
  limits: DecodeLimits;
}

export type DecodeResult = { ok: true; profile: HeapProfile } | { ok: false; error: ErrorRecord };

export default function decodeTask(task: DecodeTask): DecodeResult {
  try {
    return { ok: true, profile: decodeHeapProfileFast(task.bytes, task.limits) };
  } catch (err) {
    return { ok: false, error: toErrorRecord(err, 'HW_ERR_PROFILE_MALFORMED') };
  }
}
