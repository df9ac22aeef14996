/**
 * One process's stacks as detection sees them: each distinct stack gets a
 * dense id (interned name ids, so a stack seen in every profile costs one
 * lookup, not a string join), and the stacks no leak class could match are
 * summed per owner into a site before the history's budget chooses what to
 * keep (#bySite). The session (session.ts) keeps one per process epoch.
 */
import { FrameSequenceMap } from '../pprof/frame-sequences.js';
import { forEachInuseStack, type HeapProfile } from '../pprof/profile.js';
import { mayMatchAClass, ownerFrame } from './classify.js';
import type { StackPoint } from './history.js';
import { containerInsert } from './holders.js';
import type { NameTable } from './names.js';

export class StackSites {
  readonly #names: NameTable;
  /** Stack (interned name ids) -> stack id; stack id -> frames (shared name strings). */
  readonly #stackIds = new FrameSequenceMap();
  /** One stack's name ids, reused for every stack of every profile. */
  #scratch = new Uint32Array(256);
  #frames: string[][] = [];
  /** Stack id -> the id it is judged under: its own, or its owner's site (bySite). */
  #siteOf: number[] = [];
  /** Owner function -> the id of its site. */
  readonly #sites = new Map<string, number>();
  /** Site id -> how many distinct stacks it has summed (the finding's evidence counts them). */
  readonly #siteStacks = new Map<number, number>();
  /** Site id -> a container insert frame (holders.ts) in one of its stacks: the site may hold another leak's objects. */
  readonly #siteContainer = new Map<number, string>();
  /** Stack id -> its least inuse in this process, for the stacks summed into an owner's site (#leadFrames); dense like #siteOf. */
  #memberFloor: number[] = [];
  /** Site id -> the member whose frames the site shows: the one that grew most (#leadFrames). */
  readonly #siteLead = new Map<number, number>();
  /** Stack id -> cumulative alloc_space at the previous profile (stacks of that profile only). */
  #prevAlloc = new Map<number, number>();

  constructor(names: NameTable) {
    this.#names = names;
  }

  /** The frames a stack or site shows, leaf first. */
  frames(id: number): string[] {
    return this.#frames[id]!;
  }

  /** How many distinct stacks a site has summed (1 for a stack judged on its own). */
  stacksIn(id: number): number {
    return this.#siteStacks.get(id) ?? 1;
  }

  /** A container insert frame in one of the site's stacks (holders.ts), if any. */
  containerOf(id: number): string | undefined {
    return this.#siteContainer.get(id);
  }

  /** Stacks and sites known in this process. */
  get known(): number {
    return this.#frames.length;
  }

  /** The stack id of a stack given by its function names (leaf first): a stored stack, when history is restored. */
  idOfNames(names: readonly string[]): number {
    const ids = this.#scratchFor(names.length);
    for (let k = 0; k < names.length; k++) ids[k] = this.#names.id(names[k]!);
    return this.#stackId(names.length);
  }

  /** Per stack with memory in use: inuse bytes and objects, and its alloc_space since the previous profile. */
  fromProfile(profile: HeapProfile): Map<number, StackPoint> {
    const stacks = new Map<number, StackPoint>();
    const cumulative = new Map<number, number>();
    // Each function's name id once per profile, not once per frame.
    const nameIdOf = profile.functions.map((f) => this.#names.id(f.name));
    forEachInuseStack(profile, (local, b, o, a, _ao, lb, lo) => {
      const ids = this.#scratchFor(local.length);
      for (let k = 0; k < local.length; k++) ids[k] = nameIdOf[local[k]!]!;
      const id = this.#stackId(local.length);
      cumulative.set(id, (cumulative.get(id) ?? 0) + a);
      const prev = stacks.get(id);
      if (prev) {
        prev.bytes += b;
        prev.objects += o;
        prev.largeBytes += lb;
        prev.largeObjects += lo;
      } else {
        stacks.set(id, { bytes: b, objects: o, allocDelta: 0, largeBytes: lb, largeObjects: lo });
      }
    });
    for (const [id, cum] of cumulative) {
      const before = this.#prevAlloc.get(id);
      if (before !== undefined) stacks.get(id)!.allocDelta = Math.max(0, cum - before);
    }
    this.#prevAlloc = cumulative;
    return stacks;
  }

  /**
   * The stacks that no leak class could match, summed per owner (the first
   * frame outside the standard library: classify.ts, ownerFrame) before the
   * history's fixed budget of tracked stacks chooses what to keep. The engine
   * judges them per owner anyway; summed after that choice, a large
   * service's profile (thousands of stacks) hides a leak reached through
   * many call paths: each path is a small stack that never earns a slot,
   * and a slot's history starts only when it is taken. A site shows the
   * frames of the member that grew most (#leadFrames). Stacks a class may
   * match keep their own series: their class reads the whole stack.
   * `stacks` are one profile's own points: a site's sum is kept in its first member's.
   */
  bySite(stacks: Map<number, StackPoint>, firstOfProcess: boolean): Map<number, StackPoint> {
    const sites = new Map<number, StackPoint>();
    const leads = new Map<number, { id: number; growth: number }>();
    for (const [id, p] of stacks) {
      let site = this.#siteOf[id];
      if (site === undefined) site = this.#siteOf[id] = this.#siteFor(id);
      if (site !== id) this.#noteGrowth(site, id, p.bytes, firstOfProcess, leads);
      const sum = sites.get(site);
      if (sum === undefined) {
        sites.set(site, p);
      } else {
        sum.bytes += p.bytes;
        sum.objects += p.objects;
        sum.allocDelta += p.allocDelta;
        sum.largeBytes += p.largeBytes;
        sum.largeObjects += p.largeObjects;
      }
    }
    for (const [site, lead] of leads) this.#leadFrames(site, lead);
    return sites;
  }

  /**
   * A member's growth over its least inuse in this process (0 for a stack
   * first seen later: it was absent before), and the site's leader so far in
   * this profile. Read before the member's point may become its site's sum.
   */
  #noteGrowth(site: number, id: number, bytes: number, firstOfProcess: boolean, leads: Map<number, { id: number; growth: number }>): void {
    const floor = Math.min(this.#memberFloor[id] ?? (firstOfProcess ? bytes : 0), bytes);
    this.#memberFloor[id] = floor;
    const growth = bytes - floor;
    const lead = leads.get(site);
    if (lead === undefined || growth > lead.growth || (growth === lead.growth && id === this.#siteLead.get(site))) leads.set(site, { id, growth });
  }

  /**
   * The site's frames are those of its member that grew most, so that the
   * finding's stack and its "allocated in" name the growing path, not
   * whichever path was seen first (a static preload through one helper
   * beside a leak through another). The shown member changes when another
   * has grown more than it (on a tie, it stays).
   */
  #leadFrames(site: number, lead: { id: number; growth: number }): void {
    if (!(lead.growth > 0) || this.#siteLead.get(site) === lead.id) return;
    this.#siteLead.set(site, lead.id);
    this.#frames[site] = this.#frames[lead.id]!;
  }

  #siteFor(id: number): number {
    const frames = this.#frames[id]!;
    if (mayMatchAClass(frames)) return id;
    const owner = ownerFrame(frames) ?? '';
    let site = this.#sites.get(owner);
    if (site === undefined) {
      site = this.#frames.length;
      this.#frames.push(frames);
      this.#sites.set(owner, site);
    }
    this.#siteStacks.set(site, (this.#siteStacks.get(site) ?? 0) + 1);
    const container = containerInsert(frames, owner);
    if (container !== undefined) this.#siteContainer.set(site, container);
    return site;
  }

  /** The scratch buffer, grown to hold `n` name ids. */
  #scratchFor(n: number): Uint32Array {
    if (n > this.#scratch.length) this.#scratch = new Uint32Array(Math.max(n, 2 * this.#scratch.length));
    return this.#scratch;
  }

  /** The stack id of the first `n` name ids in the scratch buffer. */
  #stackId(n: number): number {
    const ids = this.#scratch;
    let id = this.#stackIds.get(ids, n);
    if (id === undefined) {
      id = this.#frames.length;
      this.#frames.push(Array.from(ids.subarray(0, n), (i) => this.#names.name(i)));
      this.#stackIds.add(ids, n, id);
    }
    return id;
  }
}
