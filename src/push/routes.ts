/**
 * The two push receivers as one fastify plugin, encapsulated: its body
 * parsers, auth and error format apply to its routes only, never to the API.
 *
 * - `POST /ingest`: Pyroscope's ingest API, as pyroscope-go calls it.
 * - `POST /push.v1.PusherService/Push`: Pyroscope's push API in the Connect
 *   protocol, as Alloy's pyroscope.write calls it.
 *
 * Order per request: credentials, then the tenant's rate limit (both before
 * the body is read), then the body under `global.max_body_bytes`, then the
 * protocol's checks; a malformed request is refused whole with a 4xx, and
 * nothing of it is stored.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, HeapwatchError, type ErrorCode, type ErrorRecord } from '../errors.js';
import { authorized, type PushCredentials } from './auth.js';
import { CONNECT_STATUS, connectCode, decodePushRequest, decodePushRequestJson, type RawSeries } from './connect.js';
import { ingestProfileType, type SampleTypeEntry } from './kinds.js';
import { labelRecord, parseAppName } from './labels.js';
import type { PushMetrics, PushProtocol } from './metrics.js';
import { TENANT_ID, type TenantRateLimiter } from './rate-limit.js';
import type { PushedSeries, PushReceiver } from './receiver.js';
import type { Logger } from '../log.js';
import { printable, RepeatFilter } from '../targets/repeat-filter.js';

const gunzipAsync = promisify(gunzip);

export const INGEST_PATH = '/ingest';
export const CONNECT_PUSH_PATH = '/push.v1.PusherService/Push';
/** Paths the push plugin authenticates itself (the API's token does not apply). */
export const PUSH_PATHS: readonly string[] = [INGEST_PATH, CONNECT_PUSH_PATH];

export interface PushRouteDeps {
  receiver: PushReceiver;
  limiter: TenantRateLimiter;
  metrics: PushMetrics;
  credentials: () => PushCredentials;
  /** False while the pipeline cannot take profiles (database not open): 503 HW_ERR_PUSH_NOT_READY. */
  ready: () => boolean;
  maxBodyBytes: () => number;
  maxDecompressedBytes: () => number;
  log: Logger;
}

export function pushRoutes(deps: PushRouteDeps) {
  // A refused push is logged at warn when its code changes (per protocol), then at debug.
  const repeats = new RepeatFilter();
  const reporter: Reporter = { metrics: deps.metrics, log: deps.log, repeats };
  return async function plugin(scope: FastifyInstance): Promise<void> {
    // Bodies are read here, under the scrape body limit, whatever their type: the
    // protocols decide what they take, and say so with their own error.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (req, payload, done) => {
      readLimited(payload, deps.maxBodyBytes()).then(
        (body) => done(null, body),
        (err: unknown) => done(err as Error),
      );
    });
    await scope.register(multipart, { limits: { files: 3, fields: 5, parts: 8, fileSize: deps.maxBodyBytes() } });

    scope.addHook('onRequest', async (req, reply) => {
      const fail = (code: ErrorCode, detail?: string): FastifyReply => sendPushError(req, reply, reporter, code, detail);
      if (!authorized(req.headers.authorization, deps.credentials())) {
        return fail('HW_ERR_PUSH_UNAUTHORIZED').header('www-authenticate', 'Bearer, Basic realm="heapwatch push"');
      }
      if (!deps.ready()) return fail('HW_ERR_PUSH_NOT_READY', 'the database is not open');
      const tenant = tenantOf(req);
      if (tenant === undefined) return fail('HW_ERR_PUSH_MALFORMED', 'X-Scope-OrgID: expected 1-150 characters of [A-Za-z0-9!._*\'()-]');
      if (!deps.limiter.take(tenant, Date.now())) return fail('HW_ERR_PUSH_RATE_LIMITED', `tenant ${tenant}`);
      return undefined;
    });

    scope.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
      const code: ErrorCode =
        err instanceof HeapwatchError ? err.code
        : err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'HW_ERR_BODY_TOO_LARGE'
        : err.code?.startsWith('FST_ERR_CTP') || err.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' ? 'HW_ERR_PUSH_CONTENT_TYPE'
        : 'HW_ERR_PUSH_MALFORMED';
      return err instanceof HeapwatchError ? sendRecord(req, reply, reporter, { code, message: err.message }) : sendPushError(req, reply, reporter, code, err.message);
    });

    scope.post(INGEST_PATH, async (req, reply) => {
      const series = await readIngest(req, deps.maxBodyBytes());
      const error = await deps.receiver.receive([series], Date.now());
      if (error) return sendRecord(req, reply, reporter, error);
      deps.metrics.requests.inc({ protocol: 'ingest', code: '' });
      repeats.clear('ingest');
      return reply.code(200).send();
    });

    scope.post(CONNECT_PUSH_PATH, async (req, reply) => {
      const type = mediaType(req);
      if (type !== 'application/proto' && type !== 'application/json') {
        return sendPushError(req, reply, reporter, 'HW_ERR_PUSH_CONTENT_TYPE', `${type || 'no content type'}; expected application/proto or application/json`);
      }
      const version = req.headers['connect-protocol-version'];
      if (version !== undefined && version !== '1') return sendPushError(req, reply, reporter, 'HW_ERR_PUSH_MALFORMED', `connect-protocol-version ${String(version)}; expected 1`);
      const body = await connectBody(req, deps.maxDecompressedBytes());
      const raw = type === 'application/proto' ? decodePushRequest(body) : decodePushRequestJson(body);
      const error = await deps.receiver.receive(raw.map(connectSeries), Date.now());
      if (error) return sendRecord(req, reply, reporter, error);
      deps.metrics.requests.inc({ protocol: 'connect', code: '' });
      repeats.clear('connect');
      // An empty PushResponse.
      return type === 'application/proto' ? reply.code(200).type('application/proto').send(Buffer.alloc(0)) : reply.code(200).type('application/json').send('{}');
    });
  };
}

function protocolOf(req: FastifyRequest): PushProtocol {
  return req.url.startsWith(CONNECT_PUSH_PATH) ? 'connect' : 'ingest';
}

function tenantOf(req: FastifyRequest): string | undefined {
  const h = req.headers['x-scope-orgid'];
  if (h === undefined) return 'default';
  return typeof h === 'string' && TENANT_ID.test(h) ? h : undefined;
}

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

interface Reporter {
  metrics: PushMetrics;
  log: Logger;
  repeats: RepeatFilter;
}

function sendPushError(req: FastifyRequest, reply: FastifyReply, reporter: Reporter, code: ErrorCode, detail?: string): FastifyReply {
  return sendRecord(req, reply, reporter, { code, message: new HeapwatchError(code, detail).message });
}

/** /ingest: `{code, message}` with the code's status; Connect: a Connect error whose message starts with the code. */
function sendRecord(req: FastifyRequest, reply: FastifyReply, reporter: Reporter, e: ErrorRecord): FastifyReply {
  const protocol = protocolOf(req);
  reporter.metrics.requests.inc({ protocol, code: e.code });
  const level = reporter.repeats.levelFor(protocol, e.code);
  reporter.log[level]({ protocol, remote: req.ip, code: e.code, message: printable(e.message) }, 'push refused');
  if (protocol === 'ingest') return reply.code(ERRORS[e.code].status).type('application/json').send({ code: e.code, message: e.message });
  const connect = connectCode(e.code);
  // An unsupported content type is answered 415, as the Connect protocol asks.
  const status = e.code === 'HW_ERR_PUSH_CONTENT_TYPE' ? 415 : CONNECT_STATUS[connect]!;
  return reply.code(status).type('application/json').send({ code: connect, message: `${e.code}: ${e.message}` });
}

async function readLimited(stream: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) throw new HeapwatchError('HW_ERR_BODY_TOO_LARGE', `more than ${max} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** Connect's Content-Encoding (gzip or identity), inflated under the decompression limit. */
async function connectBody(req: FastifyRequest, maxDecompressed: number): Promise<Uint8Array> {
  const body = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return body;
  if (encoding !== 'gzip') throw new HeapwatchError('HW_ERR_PUSH_CONTENT_TYPE', `content-encoding ${encoding}; expected gzip or identity`);
  try {
    return await gunzipAsync(body, { maxOutputLength: maxDecompressed });
  } catch (err) {
    const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
    throw new HeapwatchError(tooLarge ? 'HW_ERR_DECOMPRESSED_TOO_LARGE' : 'HW_ERR_PUSH_MALFORMED', tooLarge ? `more than ${maxDecompressed} bytes` : `gzip body: ${(err as Error).message}`);
  }
}

function connectSeries(raw: RawSeries): PushedSeries {
  const labels = labelRecord(raw.labels);
  const typeName = labels.__name__ ?? 'unknown';
  // Alloy marks profiles it did not turn into deltas with __delta__="false"; godeltaprof_* are deltas by nature.
  const allocIsDelta = labels.__delta__ === 'true' || typeName.startsWith('godeltaprof_');
  return { labels, typeName, allocIsDelta, profiles: raw.samples.map((s) => s.rawProfile) };
}

const TIME = /^\d{1,20}$/;

/** Reads an /ingest request: the `name` query, the profile, and pyroscope-go's sample_type_config. */
async function readIngest(req: FastifyRequest, maxBodyBytes: number): Promise<PushedSeries> {
  const q = req.query as Record<string, string | string[] | undefined>;
  const one = (k: string): string | undefined => {
    const v = q[k];
    if (Array.isArray(v)) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `query parameter ${k} given ${v.length} times`);
    return v;
  };
  const name = one('name');
  if (name === undefined || name === '') throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', 'query parameter name (app{labels}) is required');
  const format = one('format');
  if (format !== undefined && format !== 'pprof') throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `format=${format.slice(0, 40)}: only pprof is taken`);
  for (const k of ['from', 'until']) {
    const v = one(k);
    if (v !== undefined && !TIME.test(v)) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `${k}: expected a Unix time in seconds or nanoseconds`);
  }
  const labels = parseAppName(name);
  let profile: Uint8Array | undefined;
  let config: Record<string, SampleTypeEntry> | undefined;
  if (req.isMultipart()) {
    // The limit as configured now (a reload may have changed it since the plugin was registered).
    for await (const part of req.parts({ limits: { files: 3, fields: 5, parts: 8, fileSize: maxBodyBytes } })) {
      if (part.type !== 'file') continue;
      const data = await part.toBuffer();
      // prev_profile (cumulative mode of old clients) is not needed: heapwatch keeps the previous profile itself.
      if (part.fieldname === 'profile') profile = data;
      else if (part.fieldname === 'sample_type_config') config = parseSampleTypeConfig(data);
    }
    if (!profile) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', 'multipart body has no "profile" part');
  } else {
    const type = mediaType(req);
    if (type !== 'application/octet-stream' && type !== 'binary/octet-stream+pprof' && type !== 'binary/octet-stream') {
      throw new HeapwatchError('HW_ERR_PUSH_CONTENT_TYPE', `${type || 'no content type'}; expected multipart/form-data or a raw pprof body (application/octet-stream)`);
    }
    profile = req.body instanceof Buffer ? req.body : Buffer.alloc(0);
  }
  const units = one('units');
  const { name: typeName, allocIsDelta } = ingestProfileType(config, units);
  return { labels, typeName, allocIsDelta, profiles: [profile] };
}

function parseSampleTypeConfig(data: Buffer): Record<string, SampleTypeEntry> {
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `sample_type_config: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', 'sample_type_config: expected a JSON object');
  for (const entry of Object.values(value)) {
    if (entry === null || typeof entry !== 'object') throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', 'sample_type_config: expected an object per sample type');
  }
  return value as Record<string, SampleTypeEntry>;
}
