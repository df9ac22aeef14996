/**
 * Target credentials must never reach logs, API responses or error messages.
 * Redaction works on values, not on field names, so a token that an upstream
 * error message echoes back is caught too.
 */
import { readFileSync } from 'node:fs';
import type { Target } from './target.js';

export const REDACTED = '<redacted>';

/** Every secret value a target carries, including the contents of its token and password files. */
export function secretValues(target: Target): string[] {
  const out: string[] = [];
  const auth = target.auth;
  if (auth.kind === 'bearer') {
    if (auth.token) out.push(auth.token);
    if (auth.tokenFile) out.push(...readSecretFile(auth.tokenFile));
  } else if (auth.kind === 'basic') {
    if (auth.password) out.push(auth.password);
    if (auth.passwordFile) out.push(...readSecretFile(auth.passwordFile));
    if (auth.password || auth.passwordFile) {
      out.push(Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64'));
    }
  }
  // Values of secret_params, as sent (the target's key and url hold them redacted).
  const sent = new URL(target.fetchUrl);
  const shown = new URL(target.url);
  for (const [name, value] of sent.searchParams) {
    if (shown.searchParams.get(name) === REDACTED) out.push(value, encodeURIComponent(value));
  }
  for (const [name, value] of Object.entries(target.headers)) {
    if (target.secretHeaders.includes(name.toLowerCase()) || name.toLowerCase() === 'authorization') out.push(value);
  }
  return out.filter((s) => s.length >= 4);
}

function readSecretFile(path: string): string[] {
  try {
    const v = readFileSync(path, 'utf8').trim();
    return v ? [v] : [];
  } catch {
    return [];
  }
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = redactUserinfo(text);
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}

/** `scheme://user:pw@host` -> `scheme://<redacted>@host`, wherever a URL with userinfo appears in text. */
export function redactUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, `$1${REDACTED}@`);
}

/** A URL for display: userinfo dropped. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return redactUserinfo(url);
  }
}

