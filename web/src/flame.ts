/**
 * The diff flame graph with d3-flame-graph: width is inuse at the latest
 * profile, colour is growth since the base (red grew, blue shrank), and the
 * finding's key frame is highlighted. Names are matched exactly (the
 * library's default search would compile a hostile name as a RegExp) and
 * drawn by the library as text.
 */
import flamegraph from 'd3-flame-graph';
import { select } from 'd3-selection';
import { bytes, signedBytes } from './format.js';
import type { FlameNode } from './types.js';

interface HierarchyNode {
  data: FlameNode;
  value: number;
  highlight?: boolean;
}

export const KEY_FRAME_COLOR = '#e600e6';

function growthColor(d: HierarchyNode): string {
  if (d.highlight) return KEY_FRAME_COLOR;
  const { value, delta } = d.data;
  const share = Math.min(1, Math.abs(delta) / Math.max(value, Math.abs(delta), 1));
  const fade = Math.round(235 * (1 - share));
  if (delta > 0) return `rgb(235, ${fade}, ${fade})`;
  if (delta < 0) return `rgb(${fade}, ${fade}, 235)`;
  return 'rgb(220, 220, 220)';
}

export function drawFlame(el: HTMLElement, root: FlameNode, keyFrame: string): void {
  const chart = flamegraph()
    .width(Math.max(320, Math.min(1400, el.clientWidth || 1100)))
    .cellHeight(18)
    .transitionDuration(0)
    .minFrameSize(1)
    .sort(true)
    .tooltip(false)
    .setColorMapper((d: HierarchyNode) => growthColor(d))
    .setLabelHandler((d: HierarchyNode) => `${d.data.name}\ninuse ${bytes(d.data.value)}, ${signedBytes(d.data.delta)} since the base profile`)
    .setSearchMatch((d: HierarchyNode, term: string) => d.data.name === term);
  select(el).datum(root).call(chart);
  chart.search(keyFrame);
}
