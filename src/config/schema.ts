/**
 * The config file's schema. Strict at every level: an unknown key is an error,
 * never silently ignored, because a misspelt `scrape_timout` that is ignored
 * is a scrape that hangs for the default instead.
 */
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import { parseBytes, parseDuration } from './units.js';
import { pushSchema } from './push-schema.js';

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive duration like "15s", "1m" or "1h30m", got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

/** A duration that may be 0 (to switch a delay off). */
export const delay = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like "0s", "15m" or "1h", got "${text}"` });
    return z.NEVER;
  }
  return ms;
});

/** A scrape interval: the scheduler ticks once a second, so a shorter one cannot be kept. */
const interval = duration.refine((ms) => ms >= 1000, { message: 'expected at least 1s (the scheduler ticks once a second)' });

/**
 * Profile kinds a target is scraped for. Heap profiles anchor a target's
 * process epochs and are always fetched; goroutine kinds come from the
 * sibling pprof endpoints (the URL's last path segment replaced).
 */
export const profileKinds = z
  .array(z.enum(['heap', 'goroutine', 'goroutineleak']))
  .min(1)
  .refine((k) => new Set(k).size === k.length, 'expected each profile kind once')
  .refine((k) => k.includes('heap'), 'expected heap among the profile kinds (heap profiles anchor process epochs)');

/** A per-profile count limit, like Prometheus's sample_limit. */
const countLimit = z.number().int().min(1);

const bytes = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const n = parseBytes(value);
  if (n === undefined || n <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive size like "64MiB" or a byte count, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return n;
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)');
const labels = z.record(labelName, z.string());

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'expected an absolute http:// or https:// URL');

/**
 * `seconds` makes Go's pprof endpoints serve a delta of two profiles that far
 * apart (pprof/delta-profile.ts), not the live heap heapwatch reads.
 */
const DELTA_MESSAGE = '"seconds" makes Go serve the difference of two profiles that many seconds apart, not the live heap heapwatch reads; leave it out';
const hasDeltaQuery = (url: string): boolean => {
  try {
    return new URL(url).searchParams.has('seconds');
  } catch {
    return false;
  }
};
const scrapeParams = z
  .record(z.string(), z.union([z.string(), z.number()]).transform(String))
  .refine((params) => !Object.hasOwn(params, 'seconds'), { message: DELTA_MESSAGE, path: ['seconds'] });
const targetUrl = httpUrl.refine((url) => !hasDeltaQuery(url), DELTA_MESSAGE);

/**
 * Detector settings: the global `detect:` block gives each its default; a
 * target or discovery block may override any of them for its targets (a
 * stateless service pages sooner with `warmup: 0s`; one whose caches fill for
 * hours holds longer). Validated alike in both places.
 */
const detectSettings = {
  window: duration,
  min_window: duration,
  min_points: z.number().int().min(5),
  for: duration,
  resolve_after: duration,
  min_growth_bytes: bytes,
  min_growth_ratio: z.number().min(0).max(1),
  max_p_value: z.number().gt(0).lt(1),
  horizons: z.array(duration).max(4),
  warmup: delay,
  max_tracked_stacks: z.number().int().min(8).max(4096),
};

/** A target's or block's `detect:` overrides, over the global block (checked together: configSchema). */
const detectOverrides = z.strictObject(detectSettings).partial();

/** Settings that can be given per target, per file_sd block, or globally. */
const scrapeSettings = {
  interval: interval.optional(),
  timeout: duration.optional(),
  params: scrapeParams.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** Header names whose values are credentials, redacted everywhere. */
  secret_headers: z.array(z.string()).optional(),
  bearer_token: z.string().min(1).optional(),
  bearer_token_file: z.string().min(1).optional(),
  basic_auth: z
    .strictObject({
      username: z.string(),
      password: z.string().optional(),
      password_file: z.string().optional(),
    })
    .optional(),
  tls: z
    .strictObject({
      ca_file: z.string().optional(),
      insecure_skip_verify: z.boolean().default(false),
      server_name: z.string().optional(),
    })
    .optional(),
  follow_redirects: z.boolean().optional(),
  /** Query parameter names whose values are credentials: sent, but redacted everywhere. */
  secret_params: z.array(z.string().min(1)).optional(),
  /** Per-profile limits; a profile over one is refused with its own code. */
  max_samples: countLimit.optional(),
  max_locations: countLimit.optional(),
  max_functions: countLimit.optional(),
  /** Profile kinds to fetch: [heap] by default; add goroutine and/or goroutineleak. */
  profiles: profileKinds.optional(),
  /** How often to fetch the goroutineleak profile (each fetch runs a leak-detecting GC). */
  goroutineleak_interval: interval.optional(),
  /** Detector settings for these targets, over the global `detect:` block. */
  detect: detectOverrides.optional(),
};

const staticTarget = z
  .strictObject({
    url: targetUrl,
    labels: labels.default({}),
    ...scrapeSettings,
  })
  .refine((t) => !(t.bearer_token && t.bearer_token_file), 'set bearer_token or bearer_token_file, not both');

const fileSd = z.strictObject({
  files: z.array(z.string().min(1)).min(1),
  refresh_interval: duration.prefault(DEFAULTS.file_sd.refresh_interval),
  scheme: z.enum(['http', 'https']).default(DEFAULTS.file_sd.scheme),
  path: z.string().startsWith('/').default(DEFAULTS.file_sd.path),
  ...scrapeSettings,
});

const httpSd = z.strictObject({
  url: httpUrl,
  refresh_interval: duration.prefault('1m'),
  scheme: z.enum(['http', 'https']).default(DEFAULTS.file_sd.scheme),
  path: z.string().startsWith('/').default(DEFAULTS.file_sd.path),
  ...scrapeSettings,
});

const listen = z.string().refine((s) => /^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(s), 'expected host:port, e.g. "127.0.0.1:9464"');

export const configSchema = z.strictObject({
  global: z
    .strictObject({
      scrape_interval: interval.prefault(DEFAULTS.global.scrape_interval),
      scrape_timeout: duration.prefault(DEFAULTS.global.scrape_timeout),
      max_concurrent_scrapes: z.number().int().min(1).max(10_000).default(DEFAULTS.global.max_concurrent_scrapes),
      max_body_bytes: bytes.prefault(DEFAULTS.global.max_body_bytes),
      max_decompressed_bytes: bytes.prefault(DEFAULTS.global.max_decompressed_bytes),
      max_decoding_bytes: bytes.prefault(DEFAULTS.global.max_decoding_bytes),
      max_samples: countLimit.default(DEFAULTS.global.max_samples),
      max_locations: countLimit.default(DEFAULTS.global.max_locations),
      max_functions: countLimit.default(DEFAULTS.global.max_functions),
      follow_redirects: z.boolean().default(DEFAULTS.global.follow_redirects),
      profiles: profileKinds.prefault([...DEFAULTS.global.profiles]),
      goroutineleak_interval: interval.prefault(DEFAULTS.global.goroutineleak_interval),
    })
    .refine((g) => g.max_decompressed_bytes <= g.max_decoding_bytes, {
      message: 'expected max_decompressed_bytes <= max_decoding_bytes (one profile must fit the decode budget)',
    })
    .prefault({}),
  storage: z
    .strictObject({
      path: z.string().min(1).default(DEFAULTS.storage.path),
      retention_days: z.number().positive().default(DEFAULTS.storage.retention_days),
      keyframe_every: z.number().int().min(1).default(DEFAULTS.storage.keyframe_every),
      keep_latest_profiles: z.number().int().min(0).default(DEFAULTS.storage.keep_latest_profiles),
      retention_interval: duration.prefault(DEFAULTS.storage.retention_interval),
      open_retry_interval: duration.prefault(DEFAULTS.storage.open_retry_interval),
      checkpoint_interval: duration.prefault(DEFAULTS.storage.checkpoint_interval),
      downsample_after: duration.prefault(DEFAULTS.storage.downsample_after),
      downsample_step: duration.prefault(DEFAULTS.storage.downsample_step),
    })
    .prefault({}),
  api: z
    .strictObject({
      listen: listen.default(DEFAULTS.api.listen),
      auth_token: z.string().min(16, 'expected at least 16 characters').optional(),
      auth_token_file: z.string().min(1).optional(),
      metrics_open: z.boolean().default(DEFAULTS.api.metrics_open),
      health_open: z.boolean().default(DEFAULTS.api.health_open),
      /** Where users reach the UI (e.g. behind a proxy): alert annotations and dashboards link there. */
      external_url: z
        .string()
        .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/, 'expected an http(s) URL like https://heapwatch.example.com')
        .optional(),
    })
    .refine((a) => !(a.auth_token && a.auth_token_file), 'set auth_token or auth_token_file, not both')
    .prefault({}),
  export: z
    .strictObject({
      top_functions: z.number().int().min(0).max(1000).default(DEFAULTS.export.top_functions),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default(DEFAULTS.log.level),
    })
    .prefault({}),
  detect: z
    .strictObject({
      window: detectSettings.window.prefault(DEFAULTS.detect.window),
      min_window: detectSettings.min_window.prefault(DEFAULTS.detect.min_window),
      min_points: detectSettings.min_points.default(DEFAULTS.detect.min_points),
      for: detectSettings.for.prefault(DEFAULTS.detect.for),
      resolve_after: detectSettings.resolve_after.prefault(DEFAULTS.detect.resolve_after),
      min_growth_bytes: detectSettings.min_growth_bytes.prefault(DEFAULTS.detect.min_growth_bytes),
      min_growth_ratio: detectSettings.min_growth_ratio.default(DEFAULTS.detect.min_growth_ratio),
      max_p_value: detectSettings.max_p_value.default(DEFAULTS.detect.max_p_value),
      horizons: detectSettings.horizons.prefault([...DEFAULTS.detect.horizons]),
      warmup: detectSettings.warmup.prefault(DEFAULTS.detect.warmup),
      max_tracked_stacks: detectSettings.max_tracked_stacks.default(DEFAULTS.detect.max_tracked_stacks),
    })
    .refine((d) => d.min_window <= d.window, 'expected min_window <= window')
    .prefault({}),
  shard: z
    .strictObject({
      index: z.number().int().min(0).default(DEFAULTS.shard.index),
      count: z.number().int().min(1).default(DEFAULTS.shard.count),
    })
    .refine((s) => s.index < s.count, 'expected index < count')
    .prefault({}),
  push: pushSchema.prefault({}),
  targets: z.array(staticTarget).default([]),
  file_sd: z.array(fileSd).default([]),
  http_sd: z.array(httpSd).default([]),
}).superRefine((config, ctx) => {
  // A target's detect overrides are read over the global block, so the
  // global block's own check holds for what the target gets.
  for (const list of ['targets', 'file_sd', 'http_sd'] as const) {
    config[list].forEach((entry, i) => {
      const own = entry.detect;
      if (own?.window === undefined && own?.min_window === undefined) return;
      const merged = { ...config.detect, ...own };
      if (merged.min_window <= merged.window) return;
      const key = own.min_window !== undefined ? 'min_window' : 'window';
      ctx.addIssue({ code: 'custom', path: [list, i, 'detect', key], message: 'expected min_window <= window (with the global detect block for what this block leaves out)' });
    });
  }
});

/** A validated config file with every default filled in: what the daemon runs on. */
export type Config = z.output<typeof configSchema>;
/** One entry of `targets:`. */
export type StaticTargetConfig = Config['targets'][number];
/** One entry of `file_sd:`. */
export type FileSdConfig = Config['file_sd'][number];
/** One entry of `http_sd:`. */
export type HttpSdConfig = Config['http_sd'][number];
/** Detector settings as the config file gives them (durations in ms, sizes in bytes): a target's or block's overrides of the global `detect:` block. */
export type DetectOverrides = Partial<Config['detect']>;
/** The per-target scrape settings shared by static targets and discovery blocks. */
export type ScrapeSettings = Pick<StaticTargetConfig, keyof typeof scrapeSettings>;
