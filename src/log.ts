/**
 * One pino logger for the process; components take a child
 * (`log.child({ component: 'scrape' })`). JSON to stdout, errors under `err`.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'heapwatch' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Defence in depth: credentials are redacted where they are produced,
      // and these paths are redacted again if an object ever carries them.
      redact: { paths: ['*.authorization', '*.headers.authorization', '*.bearer_token', '*.password', '*.auth_token'], censor: '<redacted>' },
    },
    destination as pino.DestinationStream | undefined,
  );
}
