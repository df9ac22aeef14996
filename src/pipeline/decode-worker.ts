/**
 * Worker-thread entry point for the decoder pool. Errors are returned as data
 * rather than thrown: structured clone would strip the error code.
 */
import { toErrorRecord, type ErrorRecord } from '../errors.js';
import type { DecodeLimits } from '../pprof/inflate.js';
import { decodeProfileFast } from '../pprof/fast-decode.js';
import type { ProfileKind } from '../pprof/kind.js';
import type { HeapProfile } from '../pprof/profile.js';

export interface DecodeTask {
  bytes: Uint8Array;
  limits: DecodeLimits;
  /** The kind the source asked for; a profile of another kind is refused (HW_ERR_PROFILE_NOT_HEAP). Default heap. */
  kind?: ProfileKind;
}

export type DecodeResult = { ok: true; profile: HeapProfile } | { ok: false; error: ErrorRecord };

export default function decodeTask(task: DecodeTask): DecodeResult {
  try {
    return { ok: true, profile: decodeProfileFast(task.bytes, task.limits, [task.kind ?? 'heap']).profile };
  } catch (err) {
    return { ok: false, error: toErrorRecord(err, 'HW_ERR_PROFILE_MALFORMED') };
  }
}
