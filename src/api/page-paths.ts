/** The web UI's page paths (src/web/pages.ts serves them): the server lets them through without a token. */

/** Paths that need no token: the shell and its assets hold no data (the API they call does). */
export function isPagePath(path: string): boolean {
  return path === '/' || path.startsWith('/assets/') || /^\/(?:findings|targets)\/[^/]+$/.test(path);
}
