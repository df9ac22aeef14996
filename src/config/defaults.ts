/**
 * Every default in one place, as data (the README's config reference is
 * written from this object). A 1-minute scrape interval is the design point:
 * Go's inuse figures only move at GC, and a leak of a few MB/h needs about an
 * hour of points to stand out from sampling noise.
 */
export const DEFAULTS = {
  global: {
    scrape_interval: '60s',
    scrape_timeout: '10s',
    max_concurrent_scrapes: 16,
    max_body_bytes: '64MiB',
    // Real Go heap profiles inflate to 100-850 bytes per function, more with
    // more samples per function (README: "Limits"): 64 MiB holds the largest
    // real profile we have 6.5 times over.
    max_decompressed_bytes: '64MiB',
    // Inflated bytes of all decodes in flight together; more decodes queue.
    max_decoding_bytes: '128MiB',
    // Like Prometheus's sample_limit; the largest real profile we have
    // (bench/make-large-profile.ts, 5 MB) has 170,000 samples and 12,000 functions.
    max_samples: 500_000,
    max_locations: 500_000,
    max_functions: 100_000,
    follow_redirects: false,
    // Profile kinds fetched per target: heap always; goroutine and goroutineleak opt in (README: "Profile kinds").
    profiles: ['heap'],
    // Every goroutineleak fetch runs a leak-detecting GC cycle: much rarer than the heap.
    goroutineleak_interval: '10m',
  },
  storage: {
    path: './data/heapwatch.db',
    retention_days: 30,
    keyframe_every: 60,
    keep_latest_profiles: 10,
    retention_interval: '1h',
    open_retry_interval: '10s',
    checkpoint_interval: '1s',
    downsample_after: '24h',
    downsample_step: '15m',
  },
  api: {
    listen: '127.0.0.1:9464',
    metrics_open: true,
    health_open: true,
  },
  export: {
    top_functions: 10,
  },
  log: {
    level: 'info',
  },
  file_sd: {
    refresh_interval: '5m',
    scheme: 'http',
    path: '/debug/pprof/heap',
  },
  // Detector defaults: detect/params.ts explains each; the README's
  // "Detection" section documents them for a 1-minute scrape interval.
  detect: {
    window: '2h',
    min_window: '25m',
    // A statistical floor, not a time: Mann–Kendall cannot reach p < 0.001
    // with fewer than 7 points (exactly: 1/7! = 0.0002, 1/6! = 0.0014). At a
    // 5-minute interval it means 30 minutes.
    min_points: 7,
    for: '10m',
    resolve_after: '30m',
    min_growth_bytes: '4MiB',
    // Off: a leak matters in bytes, whatever the heap beside it. At 0.02 a
    // 5.5 MB/h leak in a 1 GiB heap had to grow 22 MB in one window, 4 hours
    // (held-out round 66), while no healthy series of the corpus needed it:
    // the sampling-error test (sampling.ts) and the absolute minimum already
    // keep a big heap's noise out. A user who wants to hear only of growth
    // that is a share of the heap can still set it.
    min_growth_ratio: 0,
    max_p_value: 0.001,
    horizons: ['6h', '24h'],
    warmup: '1h',
    max_tracked_stacks: 64,
  },
  shard: {
    index: 0,
    count: 1,
  },
} as const;
