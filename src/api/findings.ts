/** Finding routes: `/api/v1/findings` and `/api/v1/targets/:id/findings`. */
import type { FastifyInstance } from 'fastify';
import type { FindingStore, StoredFinding } from '../store/findings.js';
import type { StoreReader } from '../store/reader.js';
import { resolveLate, sendError, type Late } from './server.js';
import { idParams } from './schemas.js';
import { findingJson } from './finding-json.js';

const findingSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    target_id: { type: 'integer' },
    target: { type: 'string' },
    service: { type: 'string' },
    epoch_id: { type: 'integer' },
    class: { type: 'string' },
    severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
    title: { type: 'string' },
    function: { type: 'string' },
    headline: { type: 'string' },
    stack: { type: 'array', items: { type: 'string' } },
    growth_bytes: { type: 'number' },
    bytes_per_hour: { type: 'number' },
    detected_at: { type: 'string' },
    last_seen_at: { type: 'string' },
    state: { type: 'string', enum: ['open', 'resolved'] },
    resolved_at: { type: ['string', 'null'] },
    resolved_reason: { type: ['string', 'null'] },
    evidence: { type: 'object', additionalProperties: true },
    summary: { type: 'string' },
    remediation: { type: 'string' },
    doc_url: { type: 'string' },
  },
  required: ['id', 'class', 'severity', 'function', 'stack', 'growth_bytes', 'bytes_per_hour', 'detected_at', 'state', 'summary', 'remediation', 'doc_url'],
} as const;

const findingsResponse = { type: 'object', properties: { findings: { type: 'array', items: findingSchema } }, required: ['findings'] } as const;
const stateQuery = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['open', 'resolved', 'all'], default: 'open' },
    limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  },
  additionalProperties: false,
} as const;

/** Getters: the store opens after the API listens (server.ts answers 503 on /api/ until then). */
export function findingRoutes(findingStore: Late<FindingStore>, readerOf: Late<StoreReader>): (app: FastifyInstance) => void {
  const findings = (): FindingStore => resolveLate(findingStore)!;
  const reader = (): StoreReader => resolveLate(readerOf)!;
  const view = (f: StoredFinding): Record<string, unknown> => {
    const target = reader().target(f.targetId);
    return findingJson(f, { target: target?.url ?? '', service: target?.labels.service ?? '' });
  };
  return (app) => {
    app.get<{ Querystring: { state: 'open' | 'resolved' | 'all'; limit: number } }>(
      '/api/v1/findings',
      { schema: { querystring: stateQuery, response: { 200: findingsResponse } } },
      async (req) => ({ findings: findings().list(req.query.state, req.query.limit).map(view) }),
    );
    app.get<{ Params: { id: number }; Querystring: { state: 'open' | 'resolved' | 'all'; limit: number } }>(
      '/api/v1/targets/:id/findings',
      { schema: { params: idParams, querystring: stateQuery, response: { 200: findingsResponse } } },
      async (req, reply) => {
        if (!reader().target(req.params.id)) return sendError(reply, 'HW_ERR_NOT_FOUND', `target ${req.params.id}`);
        return { findings: findings().list(req.query.state, req.query.limit, req.params.id).map(view) };
      },
    );
  };
}
