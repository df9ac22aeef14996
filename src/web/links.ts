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

/**
 * A finding's page by what the metrics know of it (its target, class and
 * key function): alert rules and dashboards have the labels, not the id.
 * The page resolves it to the open finding (or the latest one).
 */
export function findingLookupUrl(externalUrl: string, target: string, classId: string, fn: string): string {
  const q = new URLSearchParams({ target, class: classId, function: fn });
  return absolute(externalUrl, `/findings/lookup?${q.toString()}`);
}
