/** Everything the web UI adds to the daemon's HTTP server, in one list for main.ts. */
import type { FastifyInstance } from 'fastify';
import { findingDetailRoutes } from '../api/finding-detail.js';
import { targetOverviewRoutes } from '../api/target-overview.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import type { StoreReader } from '../store/reader.js';
import { pageRoutes } from './pages.js';

export function webPlugins(deps: { db: Db; reader: StoreReader; config: () => Config }): ((app: FastifyInstance) => void)[] {
  // The page shell needs no token: with one set, a request without it must not make the daemon work.
  const prefetchUnlessProtected = (id: number): void => {
    const api = deps.config().api;
    if (!api.auth_token && !api.auth_token_file) findingDetail.prefetch(id);
  };
  const findingDetail = findingDetailRoutes({
    db: deps.db,
    reader: deps.reader,
    limits: () => ({ maxDecompressedBytes: deps.config().global.max_decompressed_bytes }),
    externalUrl: () => deps.config().api.external_url,
  });
  return [findingDetail, targetOverviewRoutes({ db: deps.db, reader: deps.reader }), pageRoutes(prefetchUnlessProtected)];
}
