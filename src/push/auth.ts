/**
 * Credentials on the push receivers: a bearer token and/or basic auth, as
 * Alloy's `pyroscope.write` endpoint block and pyroscope-go send them. Both
 * are compared in constant time (api/auth.ts) and never logged. With
 * neither configured the receivers are open, like Pyroscope's own.
 */
import { readFileSync } from 'node:fs';
import type { PushConfig } from '../config/push-schema.js';
import { HeapwatchError } from '../errors.js';
import { bearerToken, tokenMatches } from '../api/auth.js';

export interface PushCredentials {
  token?: string;
  basic?: { username: string; password: string };
}

/** Reads the token and password files now: a missing file is a config error at start or reload. */
export function pushCredentials(config: PushConfig): PushCredentials {
  const token = config.auth_token ?? (config.auth_token_file ? readSecret('push.auth_token_file', config.auth_token_file) : undefined);
  const b = config.basic_auth;
  const basic = b ? { username: b.username, password: b.password ?? readSecret('push.basic_auth.password_file', b.password_file!) } : undefined;
  return { ...(token ? { token } : {}), ...(basic ? { basic } : {}) };
}

function readSecret(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new HeapwatchError('HW_ERR_CONFIG_READ', `${key} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

/** True when the request's Authorization header satisfies the configured credentials. */
export function authorized(header: string | undefined, creds: PushCredentials): boolean {
  if (!creds.token && !creds.basic) return true;
  if (!header) return false;
  const bearer = bearerToken(header);
  if (bearer !== undefined) return creds.token !== undefined && tokenMatches(bearer, creds.token);
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m || !creds.basic) return false;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both halves compared, always, so the time does not tell which one was wrong.
  const userOk = tokenMatches(decoded.slice(0, colon), creds.basic.username);
  const passOk = tokenMatches(decoded.slice(colon + 1), creds.basic.password);
  return userOk && passOk;
}
