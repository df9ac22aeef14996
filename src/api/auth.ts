/**
 * Optional bearer-token protection for the API. The comparison is constant
 * time (over SHA-256 digests, so lengths do not leak either), and the token is
 * never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token from an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
