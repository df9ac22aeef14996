/**
 * `/findings/lookup?target=&class=&function=`: the link alerts and
 * dashboards carry (they know a finding's labels, not its id). Resolves to
 * the open finding with those labels, else the latest one, and shows it.
 */
import { getJson } from './api.js';
import { h, replace } from './dom.js';
import { renderFinding } from './finding.js';
import type { Finding } from './types.js';

export async function renderLookup(root: Element): Promise<void> {
  const q = new URLSearchParams(location.search);
  const want = { target: q.get('target') ?? '', class: q.get('class') ?? '', function: q.get('function') ?? '' };
  const { findings } = await getJson<{ findings: Finding[] }>('/api/v1/findings?state=all&limit=10000');
  const matches = findings
    .filter((f) => f.target === want.target && f.class === want.class && f.function === want.function)
    .sort((a, b) => (a.state === b.state ? Date.parse(b.detected_at) - Date.parse(a.detected_at) : a.state === 'open' ? -1 : 1));
  const found = matches[0];
  if (!found) {
    replace(root, h('h1', {}, 'No such finding'), h('p', { class: 'mono' }, `${want.class} at ${want.function} on ${want.target}`), h('a', { href: '/' }, 'All findings'));
    return;
  }
  history.replaceState(null, '', `/findings/${found.id}`);
  await renderFinding(root, found.id);
}
