/**
 * JSON schemas of the API's responses. fastify serialises with them (fast,
 * and fields not in the schema never leak out) and they document the API.
 */

export const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
} as const;

const lastScrape = {
  type: ['object', 'null'],
  properties: {
    at: { type: 'string' },
    duration_ms: { type: 'number' },
    outcome: { type: 'string', enum: ['ok', 'stale', 'error'] },
  },
} as const;

const lastError = {
  type: ['object', 'null'],
  properties: {
    at: { type: ['string', 'null'] },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const targetSchema = {
  type: 'object',
  properties: {
    id: { type: ['integer', 'null'] },
    url: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    source: { type: 'string' },
    interval_seconds: { type: 'number' },
    timeout_seconds: { type: 'number' },
    health: { type: 'string', enum: ['unknown', 'up', 'down'] },
    last_scrape: lastScrape,
    last_error: lastError,
    scrapes: { type: 'integer' },
    failures: { type: 'integer' },
    skipped: { type: 'integer' },
    detection: {
      type: 'object',
      properties: { stale_share: { type: 'number' }, profiles_last_hour: { type: 'integer' }, note: { type: 'string' } },
      required: ['stale_share', 'profiles_last_hour'],
    },
    /** The target's own detect settings, over the global block (durations in seconds); absent when it has none. */
    detect: {
      type: 'object',
      properties: {
        window_seconds: { type: 'number' },
        min_window_seconds: { type: 'number' },
        min_points: { type: 'integer' },
        for_seconds: { type: 'number' },
        resolve_after_seconds: { type: 'number' },
        min_growth_bytes: { type: 'number' },
        min_growth_ratio: { type: 'number' },
        max_p_value: { type: 'number' },
        horizons_seconds: { type: 'array', items: { type: 'number' } },
        warmup_seconds: { type: 'number' },
        max_tracked_stacks: { type: 'integer' },
      },
    },
  },
  required: ['id', 'url', 'labels', 'health'],
} as const;

export const targetsResponse = {
  type: 'object',
  properties: { targets: { type: 'array', items: targetSchema } },
  required: ['targets'],
} as const;

export const functionsResponse = {
  type: 'object',
  properties: {
    target_id: { type: 'integer' },
    epoch_id: { type: 'integer' },
    window_seconds: { type: 'number' },
    from: { type: 'string' },
    to: { type: 'string' },
    functions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          filename: { type: 'string' },
          inuse_bytes: { type: 'number' },
          inuse_objects: { type: 'number' },
          start_bytes: { type: 'number' },
          start_objects: { type: 'number' },
          delta_bytes: { type: 'number' },
          bytes_per_hour: { type: 'number' },
        },
        required: ['name', 'inuse_bytes', 'start_bytes', 'delta_bytes', 'bytes_per_hour'],
      },
    },
  },
  required: ['target_id', 'functions'],
} as const;

export const profilesResponse = {
  type: 'object',
  properties: {
    profiles: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          scrape_id: { type: 'integer' },
          at: { type: 'string' },
          size_bytes: { type: 'integer' },
          epoch_start: { type: 'boolean' },
          hourly: { type: 'boolean' },
          url: { type: 'string' },
        },
        required: ['id', 'at', 'size_bytes'],
      },
    },
  },
  required: ['profiles'],
} as const;

export const functionsQuery = {
  type: 'object',
  properties: {
    window: { type: 'string', pattern: '^(\\d+(ms|s|m|h|d|w))+$', default: '1h' },
    sort: { type: 'string', enum: ['growth', 'inuse'], default: 'growth' },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 50 },
  },
  additionalProperties: false,
} as const;

export const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;

export const profileParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 }, pid: { type: 'integer', minimum: 1 } },
  required: ['id', 'pid'],
} as const;
