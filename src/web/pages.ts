/**
 * The web UI's routes: one HTML shell for every page (`/`, `/findings/:id`,
 * `/targets/:id`) and the bundled script and stylesheet under `/assets/`
 * (built by scripts/build-web.mjs into dist/web/). Nothing is loaded from
 * elsewhere, and the Content-Security-Policy allows no inline script, so a
 * hostile function name that slipped into the DOM as markup still could not run.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
export { isPagePath } from '../api/page-paths.js';

/** Only our own bundle runs; data comes from our own API; nothing is framed or posted. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const ASSETS_DIR = new URL('../../web/', import.meta.url);
const ASSETS: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>heapwatch</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body><main id="app"><p class="muted">Loading…</p></main></body>
</html>
`;


function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** `onFindingPage`: called when a finding's page is requested, before its script asks for the data. */
export function pageRoutes(onFindingPage?: (findingId: number) => void): (app: FastifyInstance) => void {
  const cache = new Map<string, Buffer>();
  const asset = (name: string): Buffer | undefined => {
    let body = cache.get(name);
    if (!body) {
      try {
        body = readFileSync(new URL(name, ASSETS_DIR));
      } catch {
        return undefined;
      }
      cache.set(name, body);
    }
    return body;
  };
  return (app) => {
    const shell = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => secure(reply).type('text/html; charset=utf-8').send(SHELL);
    app.get('/', shell);
    app.get<{ Params: { id: string } }>('/findings/:id', async (req, reply) => {
      // The flame tree takes longest: start it while the browser loads the bundle.
      if (/^\d{1,15}$/.test(req.params.id)) onFindingPage?.(Number(req.params.id));
      return shell(req, reply);
    });
    app.get('/targets/:id', shell);
    app.get<{ Params: { file: string } }>('/assets/:file', async (req, reply) => {
      const type = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
      const body = type ? asset(req.params.file) : undefined;
      if (!type || !body) {
        return secure(reply).code(404).send({ code: 'HW_ERR_NOT_FOUND', message: `not found: asset ${req.params.file}${type ? ' (run npm run build)' : ''}` });
      }
      return secure(reply).type(type).header('cache-control', 'no-cache').send(body);
    });
  };
}
