/**
 * The finding page's data: `/api/v1/findings/:id` (the finding, its window,
 * the growth series, the downloads), `/api/v1/findings/:id/flame` (the diff
 * flame graph) and `/api/v1/findings/:id/profiles/base|latest|diff`
 * (.pb.gz for `go tool pprof`).
 */
import type { FastifyInstance } from 'fastify';
import type { DecodeLimits } from '../pprof/inflate.js';
import type { StoredFinding } from '../store/findings.js';
import { HistoryReader } from '../store/history-reader.js';
import type { Db } from '../store/db.js';
import type { StoreReader } from '../store/reader.js';
import { findingWindow, growthSeries, pprofCommand, profileFileName, type FindingWindow, type ProfileKind } from './finding-view.js';
import { createPageWork, type FlameResult, type PageWork } from './page-pool.js';
import { findingUrl, targetUrl } from './links.js';
import { idParams } from '../api/schemas.js';
import { sendError } from '../api/server.js';
import { findingJson } from '../api/finding-json.js';

const kindParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 }, kind: { type: 'string', enum: ['base', 'latest', 'diff'] } },
  required: ['id', 'kind'],
} as const;

/**
 * The last few flame trees, by finding and the two scrapes they span: an
 * alert's page is opened by several people, and rebuilding two states of a
 * big profile takes a second. A new scrape moves the latest one, so the key
 * changes and nothing stale is served.
 */
class FlameCache {
  readonly #entries = new Map<string, Promise<FlameResult | undefined>>();
  readonly #work: PageWork;
  constructor(work: PageWork) {
    this.#work = work;
  }
  get(f: StoredFinding, w: FindingWindow): Promise<FlameResult | undefined> {
    const key = `${f.id}:${w.base.scrapeId}:${w.latest.scrapeId}`;
    let tree = this.#entries.get(key);
    if (tree) {
      this.#entries.delete(key);
    } else {
      tree = this.#work.flame(f.id);
      // A failure is not kept: the next view tries again.
      tree.catch(() => this.#entries.delete(key));
      if (this.#entries.size >= 8) this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, tree);
    return tree;
  }
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The open store: the API is built before the database opens (server.ts answers 503 on /api/ until then). */
export type OpenStore = () => { db: Db; reader: StoreReader } | undefined;

export interface FindingDetailDeps {
  store: OpenStore;
  limits: () => DecodeLimits;
  /** api.external_url, for links that leave the page (alerts, the CLI). */
  externalUrl?: () => string | undefined;
}

interface OnStore {
  db: Db;
  reader: StoreReader;
  history: HistoryReader;
  work: PageWork;
  flames: FlameCache;
}

/** The routes, and a prefetch: the page shell's request starts the flame tree before the page asks for it. */
export function findingDetailRoutes(deps: FindingDetailDeps): ((app: FastifyInstance) => void) & { prefetch(findingId: number): void } {
  // Made for the open database, once (again if it is reopened).
  let on: OnStore | undefined;
  const current = (): OnStore | undefined => {
    const store = deps.store();
    if (!store) return undefined;
    if (on?.db !== store.db) {
      void on?.work.close();
      const work = createPageWork(store.db);
      on = { ...store, history: new HistoryReader(store.db), work, flames: new FlameCache(work) };
    }
    return on;
  };
  const prefetch = (findingId: number): void => {
    const s = current();
    const f = s?.history.finding(findingId);
    const w = s && f ? findingWindow(s.history, f) : undefined;
    if (s && f && w) s.flames.get(f, w).catch(() => undefined);
  };
  const routes = (app: FastifyInstance): void => {
    app.addHook('onClose', async () => on?.work.close());
    const store = (): OnStore => current()!;
    const lookup = (id: number): StoredFinding | undefined => store().history.finding(id);

    app.get<{ Params: { id: number } }>('/api/v1/findings/:id', { schema: { params: idParams } }, async (req, reply) => {
      const f = lookup(req.params.id);
      if (!f) return sendError(reply, 'HW_ERR_NOT_FOUND', `finding ${req.params.id}`);
      const { history, reader } = store();
      const target = reader.target(f.targetId);
      const w = findingWindow(history, f);
      const base = `/api/v1/findings/${f.id}/profiles`;
      return {
        finding: findingJson(f, { target: target?.url ?? '', service: target?.labels.service ?? '' }),
        target: target ? { id: target.id, url: target.url, labels: target.labels, page: targetUrl(target.id, deps.externalUrl?.()) } : null,
        page: findingUrl(f.id, deps.externalUrl?.()),
        window: w ? { from: iso(w.from), to: iso(w.to), base_at: iso(w.base.t), latest_at: iso(w.latest.t) } : null,
        series: growthSeries(history, f),
        downloads: w
          ? {
              base: { url: `${base}/base`, file: profileFileName(f.id, 'base') },
              latest: { url: `${base}/latest`, file: profileFileName(f.id, 'latest') },
              diff: { url: `${base}/diff`, file: profileFileName(f.id, 'diff') },
            }
          : null,
        pprof_command: w ? pprofCommand(f.id) : null,
      };
    });

    app.get<{ Params: { id: number } }>('/api/v1/findings/:id/flame', { schema: { params: idParams } }, async (req, reply) => {
      const f = lookup(req.params.id);
      if (!f) return sendError(reply, 'HW_ERR_NOT_FOUND', `finding ${req.params.id}`);
      const { history, flames } = store();
      const w = findingWindow(history, f);
      if (!w) return sendError(reply, 'HW_ERR_NOT_FOUND', `no stored profiles in the epoch of finding ${f.id}`);
      const flame = await flames.get(f, w);
      if (!flame) return sendError(reply, 'HW_ERR_NOT_FOUND', `finding ${f.id}`);
      return { key_frame: f.function, base_at: iso(flame.baseAt), latest_at: iso(flame.latestAt), nodes: flame.nodes, folded: flame.folded, root: flame.root };
    });

    app.get<{ Params: { id: number; kind: ProfileKind } }>('/api/v1/findings/:id/profiles/:kind', { schema: { params: kindParams } }, async (req, reply) => {
      const f = lookup(req.params.id);
      if (!f) return sendError(reply, 'HW_ERR_NOT_FOUND', `finding ${req.params.id}`);
      const { history, work } = store();
      const w = findingWindow(history, f);
      if (!w) return sendError(reply, 'HW_ERR_NOT_FOUND', `no stored profiles in the epoch of finding ${f.id}`);
      const bytes = await work.profile(f.id, req.params.kind, deps.limits());
      if (!bytes) return sendError(reply, 'HW_ERR_NOT_FOUND', `finding ${f.id}`);
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${profileFileName(f.id, req.params.kind)}"`)
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    });
  };
  return Object.assign(routes, { prefetch });
}
