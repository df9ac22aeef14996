/**
 * One pino logger for the process; components take a child
 * (`log.child({ component: 'scrape' })`). JSON to stdout, errors under `err`.
 */
import { pino, type Logger } from 'pino';
import { isHeapwatchError } from './errors.js';
import { redactUserinfo } from './targets/redact.js';

export type { Logger };

/**
 * The `err` serializer. A HeapwatchError is an expected outcome (a target
 * down, a bad profile): its code and message, no stack. Anything else is a
 * bug and keeps pino's standard form with its stack. Plain `{ code, message }`
 * records (e.g. from a worker thread) keep their fields. URL userinfo is
 * redacted from every message, as a last line of defence.
 */
export function serializeErr(err: unknown): unknown {
  if (isHeapwatchError(err)) return { type: err.name, code: err.code, message: redactUserinfo(err.message) };
  if (err instanceof Error) {
    const out = pino.stdSerializers.err(err);
    out.message = redactUserinfo(out.message);
    if (out.stack) out.stack = redactUserinfo(out.stack);
    return out;
  }
  if (err && typeof err === 'object') {
    const { code, message } = err as { code?: unknown; message?: unknown };
    return { type: 'Error', ...(code === undefined ? {} : { code }), message: redactUserinfo(typeof message === 'string' ? message : JSON.stringify(message) ?? '') };
  }
  return { type: typeof err, message: redactUserinfo(String(err)) };
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'heapwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeErr },
      // Defence in depth: credentials are redacted where they are produced,
      // and these paths are redacted again if an object ever carries them.
      redact: { paths: ['*.authorization', '*.headers.authorization', '*.bearer_token', '*.password', '*.auth_token'], censor: '<redacted>' },
    },
    destination as pino.DestinationStream | undefined,
  );
}

/** node-cron's logger interface, through pino (otherwise it writes coloured text lines to the console). */
export function cronLogger(log: Logger): { info(m: string): void; warn(m: string): void; error(m: string | Error, err?: unknown): void; debug(m: string | Error, err?: unknown): void } {
  const text = (m: unknown): string => (m instanceof Error ? m.message : String(m));
  return {
    info: (m) => log.debug({ source: 'node-cron' }, text(m)),
    warn: (m) => log.warn({ source: 'node-cron' }, text(m)),
    error: (m, err) => log.error({ source: 'node-cron', err: err ?? m }, text(m)),
    debug: (m, err) => log.debug({ source: 'node-cron', err }, text(m)),
  };
}
