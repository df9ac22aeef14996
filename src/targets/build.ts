/**
 * Turns config entries (static, file_sd, http_sd) into Targets: merges
 * per-target settings over block settings over global ones, fills the
 * `service` and `instance` labels, and resolves credentials into an auth spec.
 */
import type { Config, ScrapeSettings } from '../config/schema.js';
import { REDACTED } from './redact.js';
import type { Target, TargetAuth } from './target.js';

export function buildTarget(
  rawUrl: string,
  labels: Readonly<Record<string, string>>,
  settings: ScrapeSettings,
  global: Config['global'],
  source: string,
): Target {
  const url = new URL(rawUrl);
  for (const [k, v] of Object.entries(settings.params ?? {})) url.searchParams.set(k, v);
  // Credentials in the URL (http://user:pw@host/) become basic auth, so the
  // URL that is stored, logged and exported never carries them.
  const userinfo = url.username || url.password ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined;
  url.username = '';
  url.password = '';
  const fetchUrl = url.href;
  const display = new URL(fetchUrl);
  for (const name of settings.secret_params ?? []) if (display.searchParams.has(name)) display.searchParams.set(name, REDACTED);
  const allLabels: Record<string, string> = { ...labels };
  allLabels.instance ??= url.host;
  allLabels.service ??= url.hostname;
  return {
    key: display.href,
    url: display.href,
    fetchUrl,
    labels: allLabels,
    intervalMs: settings.interval ?? global.scrape_interval,
    // A timeout longer than the interval would let scrapes pile up.
    timeoutMs: Math.min(settings.timeout ?? global.scrape_timeout, settings.interval ?? global.scrape_interval),
    headers: { ...(settings.headers ?? {}) },
    secretHeaders: (settings.secret_headers ?? []).map((h) => h.toLowerCase()),
    auth: authOf(settings, userinfo),
    tls: {
      caFile: settings.tls?.ca_file,
      insecureSkipVerify: settings.tls?.insecure_skip_verify ?? false,
      serverName: settings.tls?.server_name,
    },
    followRedirects: settings.follow_redirects ?? global.follow_redirects,
    limits: {
      maxSamples: settings.max_samples ?? global.max_samples,
      maxLocations: settings.max_locations ?? global.max_locations,
      maxFunctions: settings.max_functions ?? global.max_functions,
    },
    source,
    profiles: [...(settings.profiles ?? global.profiles)],
    goroutineleakIntervalMs: Math.max(settings.goroutineleak_interval ?? global.goroutineleak_interval, settings.interval ?? global.scrape_interval),
    ...(settings.detect && Object.keys(settings.detect).length > 0 ? { detect: { ...settings.detect } } : {}),
  };
}

/**
 * The URL of another profile kind of the same target: the sibling pprof
 * endpoint, `.../debug/pprof/heap?x=y` -> `.../debug/pprof/goroutine?x=y`
 * (the last path segment replaced, the query kept: it may carry credentials).
 */
export function profileUrl(url: string, kind: 'heap' | 'goroutine' | 'goroutineleak'): string {
  const u = new URL(url);
  u.pathname = u.pathname.replace(/[^/]*$/, kind);
  return u.href;
}

function authOf(s: ScrapeSettings, userinfo: { username: string; password: string } | undefined): TargetAuth {
  if (s.bearer_token || s.bearer_token_file) return { kind: 'bearer', token: s.bearer_token, tokenFile: s.bearer_token_file };
  if (s.basic_auth) {
    return { kind: 'basic', username: s.basic_auth.username, password: s.basic_auth.password, passwordFile: s.basic_auth.password_file };
  }
  if (userinfo) return { kind: 'basic', username: userinfo.username, password: userinfo.password };
  return { kind: 'none' };
}

/** Static targets from the config file. */
export function staticTargets(config: Config): Target[] {
  return config.targets.map((t) => buildTarget(t.url, t.labels, t, config.global, 'static'));
}

/** A discovered address ("host:port" or a full URL) as a scrape URL. */
export function discoveredUrl(address: string, scheme: string, path: string): string {
  if (/^https?:\/\//.test(address)) return address;
  return `${scheme}://${address}${path}`;
}
