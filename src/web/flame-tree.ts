/**
 * The diff flame graph's data: stacks merged root first into a tree whose
 * nodes carry `value` (inuse bytes at the latest profile, inclusive) and
 * `delta` (growth since the base profile, inclusive), the shape
 * d3-flame-graph reads. Small nodes are folded into their parent so a
 * profile of 100,000+ stacks still draws in a browser at once; the finding's
 * own stack is always kept.
 */
import type { StackState } from '../store/history-reader.js';

export interface FlameNode {
  name: string;
  value: number;
  delta: number;
  children: FlameNode[];
}

interface Building {
  name: string;
  value: number;
  delta: number;
  children: Map<string, Building>;
  keep: boolean;
}

export interface FlameInput {
  base: StackState;
  latest: StackState;
  /** Function ids of each stack, leaf first. */
  frames: ReadonlyMap<number, readonly number[]>;
  names: ReadonlyMap<number, string>;
  /** The finding's stack, leaf first: kept whatever its size. */
  keepStack: readonly string[];
  /** At most this many nodes are sent (default 4,000). */
  maxNodes?: number;
}

export function buildFlameTree(input: FlameInput): { root: FlameNode; nodes: number; folded: number } {
  const root: Building = { name: 'total', value: 0, delta: 0, children: new Map(), keep: true };
  const keepPath = [...input.keepStack].reverse();
  const ids = new Set([...input.base.keys(), ...input.latest.keys()]);
  for (const id of ids) {
    const now = Math.max(0, input.latest.get(id)?.[0] ?? 0);
    const delta = now - Math.max(0, input.base.get(id)?.[0] ?? 0);
    if (now === 0 && delta === 0) continue;
    const frames = input.frames.get(id) ?? [];
    root.value += now;
    root.delta += delta;
    let node = root;
    let onKeepPath = true;
    for (let i = frames.length - 1, depth = 0; i >= 0; i--, depth++) {
      const name = input.names.get(frames[i]!) ?? `#${frames[i]}`;
      onKeepPath = onKeepPath && keepPath[depth] === name;
      let child = node.children.get(name);
      if (!child) {
        child = { name, value: 0, delta: 0, children: new Map(), keep: false };
        node.children.set(name, child);
      }
      child.value += now;
      child.delta += delta;
      if (onKeepPath) child.keep = true;
      node = child;
    }
  }
  // Fold the smallest nodes first, until the tree fits: a threshold on both size and growth.
  const maxNodes = input.maxNodes ?? 4000;
  let threshold = 0;
  let result = prune(root, threshold);
  while (result.nodes > maxNodes && threshold < 0.5) {
    threshold = threshold === 0 ? 0.0005 : threshold * 2;
    result = prune(root, threshold);
  }
  return result;
}

function prune(root: Building, share: number): { root: FlameNode; nodes: number; folded: number } {
  const minValue = root.value * share;
  const minDelta = Math.abs(root.delta) * share;
  let nodes = 0;
  let folded = 0;
  const walk = (b: Building): FlameNode => {
    nodes++;
    const children: FlameNode[] = [];
    for (const c of b.children.values()) {
      if (c.keep || c.value > minValue || Math.abs(c.delta) > minDelta) children.push(walk(c));
      else folded++;
    }
    return { name: b.name, value: b.value, delta: b.delta, children };
  };
  return { root: walk(root), nodes, folded };
}
