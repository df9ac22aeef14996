/**
 * The HTTP API and /metrics. `buildServer(deps)` never listens: main.ts does,
 * and tests use `app.inject()`.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DetectOverrides } from '../config/schema.js';
import { parseDuration } from '../config/units.js';
import { ERRORS, HeapwatchError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { TargetStatus } from '../scrape/manager.js';
import type { Staleness } from '../detect/stale.js';
import type { MetricsExposition } from '../export/metrics.js';
import type { StoreReader } from '../store/reader.js';
import { bearerToken, tokenMatches } from './auth.js';
import { isPagePath } from './page-paths.js';
import { errorSchema, functionsQuery, functionsResponse, idParams, profileParams, profilesResponse, targetsResponse } from './schemas.js';

export interface ApiAuth {
  token: string;
  /** Leave /metrics open for Prometheus even when the API needs a token. */
  metricsOpen: boolean;
  /** Leave /healthz and /readyz open for probes. */
  healthOpen: boolean;
}

/** A dependency given as is, or as a getter that is undefined while it is not available yet. */
export type Late<T> = T | (() => T | undefined);

export function resolveLate<T extends object>(value: Late<T>): T | undefined {
  return typeof value === 'function' ? value() : value;
}

export interface ApiDeps {
  /**
   * The store's reader. A getter that is undefined while the database is not
   * open puts the API in its not-ready mode: /healthz and /metrics answer,
   * /readyz and the /api/ routes answer 503.
   */
  reader: Late<StoreReader>;
  /** Live status of every configured target, from the scrape manager. */
  targets: () => TargetStatus[];
  metrics: MetricsExposition;
  auth?: ApiAuth;
  /** True when config is loaded and the store is writable. */
  ready: () => boolean;
  /** Why it is not ready, for /readyz (e.g. "database unavailable"). */
  notReadyReason?: () => string | undefined;
  logger?: Logger;
  /** How stale a target's profiles are (detection), by target key. */
  staleness?: (targetKey: string) => Staleness | undefined;
  /** Paths whose routes check their own credentials (the push receivers): the API token does not apply. */
  selfAuthenticated?: readonly string[];
  /** Extra routes (findings) registered by other packages. */
  plugins?: ((app: FastifyInstance) => void)[];
}

export function sendError(reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply {
  const err = new HeapwatchError(code, detail);
  return reply.code(ERRORS[code].status).send({ code, message: err.message });
}

/** `detection: { stale_share, profiles_last_hour, note? }`: the note suggests `params: { gc: 1 }` when most profiles are stale. */
function detectionStatus(s: Staleness | undefined): { detection?: { stale_share: number; profiles_last_hour: number; note?: string } } {
  if (!s) return {};
  return { detection: { stale_share: s.share, profiles_last_hour: s.profiles, ...(s.note ? { note: s.note } : {}) } };
}

/** Detector settings given in the config file as durations: the API reports them in seconds. */
const DURATION_SETTINGS = new Set(['window', 'min_window', 'for', 'resolve_after', 'warmup']);

/** A target's own detect settings (over the global block) in the API's units: durations as `<key>_seconds`. */
function detectOverrides(o: DetectOverrides | undefined): { detect?: Record<string, number | number[]> } {
  if (!o) return {};
  const out: Record<string, number | number[]> = {};
  for (const [key, value] of Object.entries(o)) {
    if (value === undefined) continue;
    if (key === 'horizons') out.horizons_seconds = (value as number[]).map((ms) => ms / 1000);
    else if (DURATION_SETTINGS.has(key)) out[`${key}_seconds`] = (value as number) / 1000;
    else out[key] = value;
  }
  return { detect: out };
}

export function buildServer(deps: ApiDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    // Per-request log lines would drown the scrape logs: Prometheus polls /metrics.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, useDefaults: true } },
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!deps.auth || isOpen(req, deps.auth) || deps.selfAuthenticated?.includes(req.url.split('?')[0]!)) return;
    const token = bearerToken(req.headers.authorization);
    if (!token || !tokenMatches(token, deps.auth.token)) {
      await sendError(reply.header('www-authenticate', 'Bearer'), 'HW_ERR_UNAUTHORIZED');
    }
  });

  // The not-ready mode: the data routes need the database.
  app.addHook('onRequest', async (req, reply) => {
    if (reply.sent || !req.url.startsWith('/api/') || resolveLate(deps.reader) !== undefined) return;
    await sendError(reply, 'HW_ERR_NOT_READY', 'the database is not open');
  });
  /** Only called by /api/ routes, which the hook above lets through only with an open store. */
  const reader = (): StoreReader => resolveLate(deps.reader)!;

  app.setErrorHandler((err: { validation?: unknown; message: string; statusCode?: number }, _req, reply) => {
    if (err.validation) return sendError(reply, 'HW_ERR_BAD_REQUEST', err.message);
    deps.logger?.error({ err }, 'API error');
    return reply.code(err.statusCode ?? 500).send({ code: 'HW_ERR_INTERNAL', message: err.message });
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, 'HW_ERR_NOT_FOUND', `${req.method} ${req.url}`));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (deps.ready()) return { status: 'ready' };
    const reason = deps.notReadyReason?.();
    return reply.code(503).send({ status: 'not ready', ...(reason ? { reason } : {}) });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await deps.metrics.exposition();
    return reply.type(deps.metrics.contentType).send(body);
  });

  app.get('/api/v1/targets', { schema: { response: { 200: targetsResponse } } }, async () => ({
    targets: deps.targets().map((s) => {
      const row = reader().targetByKey(s.target.key);
      return {
        id: row?.id ?? null,
        url: s.target.url,
        labels: s.target.labels,
        source: s.target.source,
        interval_seconds: s.target.intervalMs / 1000,
        timeout_seconds: s.target.timeoutMs / 1000,
        health: s.health,
        last_scrape: s.lastScrapeAt === null ? null : { at: iso(s.lastScrapeAt), duration_ms: s.lastDurationMs, outcome: s.lastOutcome ?? (s.lastError ? 'error' : 'ok') },
        last_error: s.lastError ? { at: s.lastScrapeAt === null ? null : iso(s.lastScrapeAt), ...s.lastError } : lastStoredError(reader(), row?.id),
        scrapes: s.scrapes,
        failures: s.failures,
        skipped: s.skipped,
        ...detectionStatus(deps.staleness?.(s.target.key)),
        ...detectOverrides(s.target.detect),
      };
    }),
  }));

  app.get<{ Params: { id: number }; Querystring: { window: string; sort: 'growth' | 'inuse'; limit: number } }>(
    '/api/v1/targets/:id/functions',
    { schema: { params: idParams, querystring: functionsQuery, response: { 200: functionsResponse, 404: errorSchema } } },
    async (req, reply) => {
      const target = reader().target(req.params.id);
      if (!target) return sendError(reply, 'HW_ERR_NOT_FOUND', `target ${req.params.id}`);
      const windowMs = parseDuration(req.query.window)!;
      const view = reader().functionsView(target.id, windowMs, req.query.sort, req.query.limit);
      if (!view) return { target_id: target.id, window_seconds: windowMs / 1000, functions: [] };
      return {
        target_id: target.id,
        epoch_id: view.epochId,
        window_seconds: windowMs / 1000,
        from: iso(view.from.ts),
        to: iso(view.to.ts),
        functions: view.functions.map((f) => ({
          name: f.name,
          filename: f.filename,
          inuse_bytes: f.inuseBytes,
          inuse_objects: f.inuseObjects,
          start_bytes: f.startBytes,
          start_objects: f.startObjects,
          delta_bytes: f.deltaBytes,
          bytes_per_hour: f.bytesPerHour,
        })),
      };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/targets/:id/profiles',
    { schema: { params: idParams, response: { 200: profilesResponse, 404: errorSchema } } },
    async (req, reply) => {
      const target = reader().target(req.params.id);
      if (!target) return sendError(reply, 'HW_ERR_NOT_FOUND', `target ${req.params.id}`);
      return {
        profiles: reader().profiles(target.id, 1000).map((p) => ({
          id: p.id,
          scrape_id: p.scrapeId,
          at: iso(p.ts),
          size_bytes: p.size,
          epoch_start: p.epochStart,
          hourly: p.hourly,
          url: `/api/v1/targets/${target.id}/profiles/${p.id}`,
        })),
      };
    },
  );

  app.get<{ Params: { id: number; pid: number } }>(
    '/api/v1/targets/:id/profiles/:pid',
    { schema: { params: profileParams } },
    async (req, reply) => {
      const p = reader().profileBytes(req.params.id, req.params.pid);
      if (!p) return sendError(reply, 'HW_ERR_NOT_FOUND', `profile ${req.params.pid} of target ${req.params.id}`);
      const name = `heap-${req.params.id}-${new Date(p.ts).toISOString().replace(/[:.]/g, '-')}.pb.gz`;
      return reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${name}"`).send(p.bytes);
    },
  );

  for (const plugin of deps.plugins ?? []) plugin(app);
  return app;
}

function isOpen(req: FastifyRequest, auth: ApiAuth): boolean {
  const path = req.url.split('?')[0];
  if (path === '/metrics') return auth.metricsOpen;
  if (path === '/healthz' || path === '/readyz') return auth.healthOpen;
  // The UI's shell asks for the token itself and sends it to the API.
  return isPagePath(path ?? '');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function lastStoredError(reader: StoreReader, id: number | undefined): { at: string; code: string; message: string } | null {
  if (id === undefined) return null;
  const e = reader.lastError(id);
  return e ? { at: iso(e.ts), code: e.errorCode ?? '', message: e.errorMessage ?? '' } : null;
}
