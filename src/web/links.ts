/**
 * Links to the web pages: relative inside the UI, absolute (on
 * `api.external_url`) where they leave it: alert annotations, dashboards,
 * `heapwatch analyze`.
 */

/** `https://heapwatch.example/` + path, with exactly one slash between them. */
export function absolute(externalUrl: string | undefined, path: string): string {
  if (!externalUrl) return path;
  return `${externalUrl.replace(/\/+$/, '')}${path}`;
}

export function findingUrl(id: number, externalUrl?: string): string {
  return absolute(externalUrl, `/findings/${id}`);
}

export function targetUrl(id: number, externalUrl?: string): string {
  return absolute(externalUrl, `/targets/${id}`);
}
