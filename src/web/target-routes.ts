/**
 * The target page's data: `/api/v1/targets/:id/overview` gives the heap
 * total over time (every stored profile, all epochs), and the top growing
 * functions of the current epoch, each with a sparkline of its inuse.
 */
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../config/units.js';
import { HistoryReader } from '../store/history-reader.js';
import type { Db } from '../store/db.js';
import type { StoreReader } from '../store/reader.js';
import { thin } from './finding-view.js';
import { idParams } from '../api/schemas.js';
import { sendError } from '../api/server.js';

const overviewQuery = {
  type: 'object',
  properties: {
    window: { type: 'string', pattern: '^[0-9]+(ms|s|m|h|d|w)([0-9]+(ms|s|m|h|d|w))*$', default: '1h' },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
  },
  additionalProperties: false,
} as const;

const SPARK_POINTS = 60;

export function targetOverviewRoutes(deps: { store: () => { db: Db; reader: StoreReader } | undefined }): (app: FastifyInstance) => void {
  let on: { db: Db; reader: StoreReader; history: HistoryReader } | undefined;
  // server.ts answers 503 on /api/ until the database is open, so a route always finds it.
  const store = (): { db: Db; reader: StoreReader; history: HistoryReader } => {
    const s = deps.store()!;
    if (on?.db !== s.db) on = { ...s, history: new HistoryReader(s.db) };
    return on;
  };
  return (app) => {
    app.get<{ Params: { id: number }; Querystring: { window: string; limit: number } }>(
      '/api/v1/targets/:id/overview',
      { schema: { params: idParams, querystring: overviewQuery } },
      async (req, reply) => {
        const { reader, history } = store();
        const target = reader.target(req.params.id);
        if (!target) return sendError(reply, 'HW_ERR_NOT_FOUND', `target ${req.params.id}`);
        const windowMs = parseDuration(req.query.window);
        if (windowMs === undefined || windowMs <= 0) return sendError(reply, 'HW_ERR_BAD_REQUEST', `window ${req.query.window}`);
        const totals = thin(history.targetTotals(target.id));
        const view = reader.functionsView(target.id, windowMs, 'growth', req.query.limit);
        return {
          target: { id: target.id, url: target.url, labels: target.labels },
          totals: { t: totals.map((p) => p.t / 1000), total: totals.map((p) => p.total) },
          window_seconds: windowMs / 1000,
          functions: (view?.functions ?? []).map((f) => ({
            name: f.name,
            inuse_bytes: f.inuseBytes,
            delta_bytes: f.deltaBytes,
            bytes_per_hour: f.bytesPerHour,
            spark: thin(history.functionSeries(view!.epochId, f.name), SPARK_POINTS).map((p) => p.value),
          })),
        };
      },
    );
  };
}
