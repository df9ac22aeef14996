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
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}

