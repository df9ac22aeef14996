/** The UI's entry: picks the page from the path, and asks for the API token when the daemon wants one. */
import 'uplot/dist/uPlot.min.css';
import '../../node_modules/d3-flame-graph/dist/d3-flamegraph.css';
import './style.css';
import { askForToken, hadToken, Unauthorized } from './api.js';
import { h, replace } from './dom.js';
import { renderFinding } from './finding.js';
import { renderList } from './list.js';
import { renderLookup } from './lookup.js';
import { renderTarget } from './target.js';

async function route(root: Element): Promise<void> {
  const path = location.pathname;
  const finding = /^\/findings\/(\d+)$/.exec(path);
  const target = /^\/targets\/(\d+)$/.exec(path);
  if (path === '/findings/lookup') return renderLookup(root);
  if (finding) return renderFinding(root, Number(finding[1]));
  if (target) return renderTarget(root, Number(target[1]));
  if (path === '/') return renderList(root);
  replace(root, h('h1', {}, 'Not found'), h('a', { href: '/' }, 'findings'));
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  // Bounded: a refused token asks again, at most a few times per page load.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await route(root);
      return;
    } catch (err) {
      if (err instanceof Unauthorized) {
        await askForToken(root, hadToken());
        continue;
      }
      replace(root, h('h1', {}, 'heapwatch'), h('p', { class: 'error' }, String(err)));
      return;
    }
  }
}

void start();
