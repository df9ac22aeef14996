/**
 * StackSites on synthetic profiles: ids that stay with a stack across
 * profiles, alloc deltas between profiles, and the per-owner sites that the
 * history's budget sees (session.test.ts tests what they change in findings).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linear, MB, MIN, profileAt, steady, type Site } from '../../test/helpers/synthetic-process.js';
import { NameTable } from './names.js';
import { StackSites } from './stack-sites.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const fixed = () => 0.5;

// One owner reached through two helpers (a static preload and a leak), and a
// netpoll buffer stack that a leak class reads whole.
const preload: Site = { fn: 'fmt.Sprintf', callers: ['main.(*store).put', 'main.loadAll'], inuse: () => 40 * MB, allocPerMin: steady(0.01) };
const leak: Site = { fn: 'strings.Repeat', callers: ['main.(*store).put', 'main.serve'], inuse: linear(30), allocPerMin: steady(1) };
const buffer: Site = { fn: 'github.com/cloudwego/netpoll.newLinkBufferNode', callers: ['github.com/cloudwego/netpoll.(*LinkBuffer).book', 'github.com/cloudwego/netpoll.(*connection).inputs', 'main.serve'], inuse: () => 8 * MB, allocPerMin: steady(2) };

const idOf = (sites: StackSites, points: Map<number, unknown>, leaf: string): number => [...points.keys()].find((id) => sites.frames(id)[0] === leaf)!;

describe('StackSites', () => {
  it('gives a stack the same id in every profile, and its alloc_space since the previous profile', () => {
    const sites = new StackSites(new NameTable());
    const first = sites.fromProfile(profileAt([leak], 10, fixed, T0));
    const second = sites.fromProfile(profileAt([leak], 12, fixed, T0 + 2 * MIN));
    const a = idOf(sites, first, 'strings.Repeat');
    assert.equal(idOf(sites, second, 'strings.Repeat'), a);
    // Nothing to subtract at the first sight; then two minutes at 1 MB/min.
    assert.equal(first.get(a)!.allocDelta, 0);
    assert.ok(Math.abs(second.get(a)!.allocDelta - 2 * MB) < 1, `${second.get(a)!.allocDelta}`);
    // A stored stack, named by its frames, maps to the same id.
    assert.equal(sites.idOfNames(sites.frames(a)), a);
  });

  it("sums an owner's paths into one site that shows the growing path; a stack a class reads stays whole", () => {
    const sites = new StackSites(new NameTable());
    const at = (age: number) => {
      const stacks = sites.fromProfile(profileAt([preload, leak, buffer], age, fixed, T0 + age * MIN));
      return { stacks, bySite: sites.bySite(new Map(stacks), age === 0) };
    };
    at(0);
    const { stacks, bySite: later } = at(60);
    const put = [...later.keys()].find((id) => sites.frames(id).includes('main.(*store).put'))!;
    assert.equal(sites.stacksIn(put), 2);
    // The preload (40 MB) and an hour of the 30 MB/h leak, each within the profile's noise (±2%).
    const bytes = later.get(put)!.bytes;
    assert.ok(bytes > 0.98 * 70 * MB && bytes < 1.02 * 70 * MB, `${bytes}`);
    assert.deepEqual(sites.frames(put).slice(0, 2), ['strings.Repeat', 'main.(*store).put']);
    // Neither path is judged under its own id; the buffer's stack is.
    assert.ok(!later.has(idOf(sites, stacks, 'fmt.Sprintf')) && !later.has(idOf(sites, stacks, 'strings.Repeat')));
    const node = idOf(sites, stacks, buffer.fn);
    assert.ok(later.has(node));
    assert.equal(sites.stacksIn(node), 1);
    assert.deepEqual(sites.frames(node), [buffer.fn, ...buffer.callers!, 'main.main']);
  });
});
