/**
 * The registry of every error code heapwatch reports (scrape outcomes, API
 * errors, CLI failures). A user who sees a code in a log, the API or a metric
 * label can look it up here and in the README's error table; a test keeps the
 * two in step. Codes are stable: dashboards and alerts key on them.
 */

export interface ErrorSpec {
  /** What went wrong, as a sentence fragment shown before the details. */
  readonly message: string;
  /** HTTP status when the error is returned by the API. */
  readonly status: number;
}

export const ERRORS = {
  HW_ERR_CONFIG_INVALID: { message: 'invalid configuration', status: 500 },
  HW_ERR_CONFIG_READ: { message: 'cannot read configuration file', status: 500 },
  HW_ERR_SD_FILE_INVALID: { message: 'invalid service-discovery file', status: 500 },
  HW_ERR_SD_HTTP: { message: 'HTTP service discovery failed', status: 502 },
  HW_ERR_SCRAPE_TIMEOUT: { message: 'scrape timed out', status: 504 },
  HW_ERR_SCRAPE_CONNECT: { message: 'cannot connect to target', status: 502 },
  HW_ERR_SCRAPE_RESET: { message: 'connection reset while reading the response', status: 502 },
  HW_ERR_SCRAPE_TLS: { message: 'TLS handshake with target failed', status: 502 },
  HW_ERR_SCRAPE_HTTP_STATUS: { message: 'target answered with a non-200 status', status: 502 },
  HW_ERR_SCRAPE_REDIRECT: { message: 'target redirected to another host', status: 502 },
  HW_ERR_SCRAPE_ABORTED: { message: 'scrape cut off by shutdown', status: 503 },
  HW_ERR_TARGET_FILE: { message: "cannot read a target's credential or CA file", status: 500 },
  HW_ERR_BODY_TOO_LARGE: { message: 'response body exceeds the compressed size limit', status: 413 },
  HW_ERR_DECOMPRESSED_TOO_LARGE: { message: 'profile exceeds the decompressed size limit (gzip bomb?)', status: 413 },
  HW_ERR_NOT_PPROF: { message: 'not a pprof profile', status: 422 },
  HW_ERR_PROFILE_GZIP: { message: 'profile is not valid gzip', status: 422 },
  HW_ERR_PROFILE_MALFORMED: { message: 'profile is malformed', status: 422 },
  HW_ERR_PROFILE_NOT_HEAP: { message: 'profile is not a Go heap profile', status: 422 },
  HW_ERR_PROFILE_DELTA: { message: 'profile is a delta over a span (what ?seconds= serves), not the live heap', status: 422 },
  HW_ERR_PROFILE_TOO_MANY_SAMPLES: { message: 'profile has more samples than max_samples', status: 413 },
  HW_ERR_PROFILE_TOO_MANY_LOCATIONS: { message: 'profile has more locations than max_locations', status: 413 },
  HW_ERR_PROFILE_TOO_MANY_FUNCTIONS: { message: 'profile has more functions than max_functions', status: 413 },
  HW_ERR_EPOCH_FLAPPING: { message: 'profile counters went down on consecutive scrapes (several processes behind one URL?); keyframes backed off', status: 409 },
  HW_ERR_DECODER_UNAVAILABLE: { message: 'profile decoder worker failed', status: 500 },
  HW_ERR_PROFILE_KIND_UNSUPPORTED: { message: 'profile kind not supported yet', status: 415 },
  HW_ERR_ORIGIN_REMOVED: { message: 'the profile arrived for a target that was removed meanwhile; not stored', status: 410 },
  HW_ERR_STORE_WRITE: { message: 'cannot write to the database', status: 500 },
  HW_ERR_STORE_OPEN: { message: 'cannot open the database', status: 500 },
  HW_ERR_NOT_READY: { message: 'not ready', status: 503 },
  HW_ERR_API_LISTEN: { message: 'cannot listen on api.listen', status: 500 },
  HW_ERR_NOT_FOUND: { message: 'not found', status: 404 },
  HW_ERR_UNAUTHORIZED: { message: 'missing or wrong bearer token', status: 401 },
  HW_ERR_BAD_REQUEST: { message: 'bad request', status: 400 },
  HW_ERR_PUSH_MALFORMED: { message: 'push request is malformed', status: 400 },
  HW_ERR_PUSH_CONTENT_TYPE: { message: 'push request has an unsupported content type', status: 415 },
  HW_ERR_PUSH_UNAUTHORIZED: { message: 'push request has missing or wrong credentials', status: 401 },
  HW_ERR_PUSH_RATE_LIMITED: { message: "push request over its tenant's rate limit", status: 429 },
  HW_ERR_PUSH_NOT_READY: { message: 'push receivers are not ready', status: 503 },
  HW_ERR_PUSH_TOO_MANY_TARGETS: { message: 'push would create more pushed targets than push.max_targets', status: 429 },
} as const satisfies Record<string, ErrorSpec>;

/** An `HW_ERR_*` code of the registry above; logs, metrics and API responses carry it. */
export type ErrorCode = keyof typeof ERRORS;

/** An error with a registered code. `detail` is appended to the code's message. */
export class HeapwatchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** What this occurrence adds to the code's message (a caller that adds context, such as the file, re-raises with it). */
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const spec = ERRORS[code];
    super(detail ? `${spec.message}: ${detail}` : spec.message, options);
    this.name = 'HeapwatchError';
    this.code = code;
    this.status = spec.status;
    this.detail = detail;
  }
}

export function isHeapwatchError(err: unknown): err is HeapwatchError {
  return err instanceof HeapwatchError;
}

/**
 * Runs `work`; a HeapwatchError it throws is raised again with `context`
 * (the file it was reading, say) before its detail, same code. Other errors
 * pass through as they are.
 */
export function withErrorContext<T>(context: string, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof HeapwatchError) throw new HeapwatchError(err.code, err.detail === undefined ? context : `${context}: ${err.detail}`, { cause: err });
    throw err;
  }
}

/** A plain, cloneable form, for crossing worker-thread boundaries and for JSON. */
export interface ErrorRecord {
  code: ErrorCode;
  message: string;
}

export function toErrorRecord(err: unknown, fallback: ErrorCode): ErrorRecord {
  if (isHeapwatchError(err)) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: fallback, message: `${ERRORS[fallback].message}: ${message}` };
}

/** Rebuilds a HeapwatchError from its record (e.g. after a worker-thread hop). */
export function fromErrorRecord(record: ErrorRecord): HeapwatchError {
  const err = new HeapwatchError(record.code);
  err.message = record.message;
  return err;
}
