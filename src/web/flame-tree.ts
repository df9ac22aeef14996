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

export interface FlameInput {
  base: StackState;
  latest: StackState;
  /** Function ids of each stack, leaf first. */
  frames: ReadonlyMap<number, readonly number[]>;
  names: ReadonlyMap<number, string>;
  /** The finding's stack, leaf first: kept whatever its size. */
  keepStack: readonly string[];
  /** At most this many nodes are sent (default 2,000: more are below a pixel wide on a screen). */
  maxNodes?: number;
}

/** A node's key among all nodes: its caller's index and its function id (both far below 2^21 and 2^32). */
const childKey = (parent: number, fn: number): number => parent * 4_294_967_296 + fn;

export function buildFlameTree(input: FlameInput): { root: FlameNode; nodes: number; folded: number } {
  // Nodes in flat arrays, index 0 the root; a caller is always created before its callees.
  const parent: number[] = [-1];
  const fnOf: number[] = [-1];
  const value: number[] = [0];
  const delta: number[] = [0];
  const index = new Map<number, number>();
  const ids = new Set([...input.base.keys(), ...input.latest.keys()]);
  for (const id of ids) {
    const now = Math.max(0, input.latest.get(id)?.[0] ?? 0);
    const d = now - Math.max(0, input.base.get(id)?.[0] ?? 0);
    if (now === 0 && d === 0) continue;
    const frames = input.frames.get(id) ?? [];
    value[0]! += now;
    delta[0]! += d;
    let node = 0;
    for (let i = frames.length - 1; i >= 0; i--) {
      const key = childKey(node, frames[i]!);
      let c = index.get(key);
      if (c === undefined) {
        c = parent.length;
        parent.push(node);
        fnOf.push(frames[i]!);
        value.push(0);
        delta.push(0);
        index.set(key, c);
      }
      value[c]! += now;
      delta[c]! += d;
      node = c;
    }
  }
  const n = parent.length;
  // The finding's stack, root first, is kept whatever its size.
  const keep = new Uint8Array(n);
  keep[0] = 1;
  const fnByName = new Map<string, number>();
  const wanted = new Set(input.keepStack);
  for (const [id, name] of input.names) if (wanted.has(name)) fnByName.set(name, id);
  let node = 0;
  for (const name of [...input.keepStack].reverse()) {
    const fn = fnByName.get(name);
    const c = fn === undefined ? undefined : index.get(childKey(node, fn));
    if (c === undefined) break;
    keep[c] = 1;
    node = c;
  }
  // The fold threshold: the share of the maxNodes-th largest node. A caller is
  // never smaller than its callees in value, so what is kept is whole paths.
  const share = new Float64Array(n);
  const rootValue = value[0]!;
  const rootDelta = Math.abs(delta[0]!);
  for (let i = 1; i < n; i++) {
    share[i] = keep[i] ? Infinity : Math.max(rootValue > 0 ? value[i]! / rootValue : 0, rootDelta > 0 ? Math.abs(delta[i]!) / rootDelta : 0);
  }
  const maxNodes = input.maxNodes ?? 2000;
  let threshold = 0;
  if (n > maxNodes) {
    const sorted = share.slice(1).sort();
    threshold = sorted[sorted.length - (maxNodes - 1)] ?? 0;
  }
  const out: (FlameNode | undefined)[] = new Array<FlameNode | undefined>(n);
  const nameOf = (fn: number): string => input.names.get(fn) ?? `#${fn}`;
  out[0] = { name: 'total', value: value[0]!, delta: delta[0]!, children: [] };
  let nodes = 1;
  let folded = 0;
  for (let i = 1; i < n; i++) {
    const up = out[parent[i]!];
    if (!up) continue;
    if (keep[i] || share[i]! > threshold) {
      const node: FlameNode = { name: nameOf(fnOf[i]!), value: value[i]!, delta: delta[i]!, children: [] };
      out[i] = node;
      up.children.push(node);
      nodes++;
    } else folded++;
  }
  return { root: out[0], nodes, folded };
}
