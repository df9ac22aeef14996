/** Everything the web UI adds to the daemon's HTTP server, in one list for main.ts. */
import type { FastifyInstance } from 'fastify';
import { findingDetailRoutes } from './finding-routes.js';
import { targetOverviewRoutes } from './target-routes.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../store/db.js';
import type { StoreReader } from '../store/reader.js';
import { pageRoutes } from './pages.js';

/** `store`: the open database, or undefined before it opens (the API listens first). */
export function webPlugins(deps: { store: () => { db: Db; reader: StoreReader } | undefined; config: () => Config }): ((app: FastifyInstance) => void)[] {
  // The page shell needs no token: with one set, a request without it must not make the daemon work.
  const prefetchUnlessProtected = (id: number): void => {
    const api = deps.config().api;
    if (!api.auth_token && !api.auth_token_file) findingDetail.prefetch(id);
  };
  const findingDetail = findingDetailRoutes({
    store: deps.store,
    limits: () => ({ maxDecompressedBytes: deps.config().global.max_decompressed_bytes }),
    externalUrl: () => deps.config().api.external_url,
  });
  return [findingDetail, targetOverviewRoutes({ store: deps.store }), pageRoutes(prefetchUnlessProtected)];
}
