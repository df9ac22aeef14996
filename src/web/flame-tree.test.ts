import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildFlameTree, type FlameNode } from './flame-tree.js';

const names = new Map([
  [1, 'main.main'],
  [2, 'main.serve'],
  [3, 'main.leak'],
  [4, 'main.other'],
  [5, 'main.tiny'],
]);
// Leaf first, as the store keeps them.
const frames = new Map([
  [10, [3, 2, 1]],
  [11, [4, 2, 1]],
  [12, [5, 1]],
]);
const state = (entries: [number, number][]): Map<number, [number, number, number, number]> => new Map(entries.map(([id, b]) => [id, [b, 1, b, 1]]));

function find(node: FlameNode, path: string[]): FlameNode | undefined {
  let n: FlameNode | undefined = node;
  for (const name of path) n = n?.children.find((c) => c.name === name);
  return n;
}

describe('diff flame tree', () => {
  it('merges stacks root first with inclusive inuse now and growth since the base', () => {
    const { root, folded } = buildFlameTree({
      base: state([[10, 100], [11, 500]]),
      latest: state([[10, 900], [11, 400], [12, 50]]),
      frames,
      names,
      keepStack: ['main.leak', 'main.serve', 'main.main'],
    });
    assert.equal(folded, 0);
    assert.deepEqual([root.value, root.delta], [1350, 750]);
    assert.deepEqual(find(root, ['main.main', 'main.serve']), {
      name: 'main.serve',
      value: 1300,
      delta: 700,
      children: [
        { name: 'main.leak', value: 900, delta: 800, children: [] },
        { name: 'main.other', value: 400, delta: -100, children: [] },
      ],
    });
    assert.deepEqual(find(root, ['main.main', 'main.tiny']), { name: 'main.tiny', value: 50, delta: 50, children: [] });
  });

  it('a stack gone by the latest profile shows as shrinkage only', () => {
    const { root } = buildFlameTree({ base: state([[11, 300]]), latest: state([]), frames, names, keepStack: [] });
    assert.deepEqual(find(root, ['main.main', 'main.serve', 'main.other']), { name: 'main.other', value: 0, delta: -300, children: [] });
  });

  it('folds the smallest frames to fit, but never the finding stack', () => {
    const many = new Map<number, number[]>();
    const nm = new Map(names);
    const latest: [number, number][] = [];
    for (let i = 0; i < 500; i++) {
      nm.set(100 + i, `pkg.f${i}`);
      many.set(1000 + i, [100 + i, 2, 1]);
      latest.push([1000 + i, 10_000]);
    }
    many.set(10, [3, 2, 1]);
    latest.push([10, 1]); // the finding's stack: the smallest of all
    const { root, nodes, folded } = buildFlameTree({ base: state([]), latest: state(latest), frames: many, names: nm, keepStack: ['main.leak', 'main.serve', 'main.main'], maxNodes: 100 });
    assert.ok(nodes <= 100, `${nodes} nodes`);
    assert.ok(folded > 0);
    assert.ok(find(root, ['main.main', 'main.serve', 'main.leak']), 'the finding stack is kept');
    // Folded frames still count in their caller's inclusive value.
    assert.equal(find(root, ['main.main', 'main.serve'])!.value, 500 * 10_000 + 1);
  });
});
