/**
 * The `push:` block: receivers for profiles pushed by pyroscope-go and Grafana
 * Alloy (src/push/). Kept in its own file so the scrape schema stays as it is;
 * off unless `push.enabled` is true.
 */
import { z } from 'zod';
import { parseDuration } from './units.js';

const positiveDuration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive duration like "15s", "1m" or "1h30m", got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_.]*$/, 'expected a label name ([a-zA-Z_][a-zA-Z0-9_.]*)');

/** Defaults of the push block (the README's config reference lists them). */
export const PUSH_DEFAULTS = {
  enabled: false,
  // Labels besides service_name that make a pushed series its own target.
  // `instance` keeps two replicas of one service apart (Alloy sets it); pyroscope-go's
  // per-process `__session_id__` is never identity, or every restart would be a new target.
  identity_labels: ['instance'],
  // pyroscope-go's default upload rate and Alloy's default scrape interval.
  interval: '15s',
  down_after: '1m',
  forget_after: '1h',
  max_targets: 10_000,
  rate_limit: { requests_per_second: 100, burst: 200 },
} as const;

export const pushSchema = z
  .strictObject({
    enabled: z.boolean().default(PUSH_DEFAULTS.enabled),
    /** Own address for the receivers; unset: they share api.listen. */
    listen: z
      .string()
      .refine((s) => /^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(s), 'expected host:port, e.g. "0.0.0.0:4040"')
      .optional(),
    /** Bearer token the pushers send (Alloy: `bearer_token`; pyroscope-go: an Authorization header). */
    auth_token: z.string().min(16, 'expected at least 16 characters').optional(),
    auth_token_file: z.string().min(1).optional(),
    /** Basic auth (Alloy: `basic_auth`; pyroscope-go: BasicAuthUser / BasicAuthPassword). */
    basic_auth: z
      .strictObject({
        username: z.string().min(1),
        password: z.string().min(1).optional(),
        password_file: z.string().min(1).optional(),
      })
      .refine((b) => Boolean(b.password) !== Boolean(b.password_file), 'set password or password_file (exactly one)')
      .optional(),
    identity_labels: z.array(labelName).prefault([...PUSH_DEFAULTS.identity_labels]),
    /** Expected cadence of a pushed series (shown in the API; detection uses the arrival times). */
    interval: positiveDuration.prefault(PUSH_DEFAULTS.interval),
    /** A pushed target with no push for this long is down. */
    down_after: positiveDuration.prefault(PUSH_DEFAULTS.down_after),
    /** ... and after this long it is forgotten (its slot under max_targets is freed; stored history stays). */
    forget_after: positiveDuration.prefault(PUSH_DEFAULTS.forget_after),
    max_targets: z.number().int().min(1).default(PUSH_DEFAULTS.max_targets),
    /** Per tenant (X-Scope-OrgID, or "default"): requests a second, and the burst allowed above it. */
    rate_limit: z
      .strictObject({
        requests_per_second: z.number().positive().default(PUSH_DEFAULTS.rate_limit.requests_per_second),
        burst: z.number().int().min(1).default(PUSH_DEFAULTS.rate_limit.burst),
      })
      .prefault({}),
  })
  .refine((p) => !(p.auth_token && p.auth_token_file), 'set auth_token or auth_token_file, not both')
  .refine((p) => p.down_after <= p.forget_after, 'expected down_after <= forget_after');

export type PushConfig = z.output<typeof pushSchema>;
