/**
 * Allocation-site groups of one horizon's view: the tracked stacks whose
 * floor rose, classified, and grouped by class and key function together with
 * every other tracked stack of the same class and function. Pure.
 */
import { classifyStack, type Classification, type GrowingStack, type ProcessContext } from './classify.js';
import type { EpochSeries, HistoryView } from './history.js';
import { median } from './stats.js';

/** One tracked stack of a group, with its series over the horizon. */
export interface Member {
  /** The stack id (a site's, for stacks summed per owner: session.ts). */
  id: number;
  slot: number;
  series: number[];
  stack: GrowingStack;
}

/** Stacks of one class and key function, judged together as one allocation site. */
export interface Group {
  key: string;
  classification: Classification;
  members: Member[];
}

/** What grouping needs of one horizon: the history, how to name stacks, and the process context. */
export interface GroupInput {
  series: EpochSeries;
  horizon: number;
  view: HistoryView;
  frames: (stackId: number) => readonly string[];
  modules: ReadonlyMap<string, string>;
  functions: ReadonlySet<string>;
  /** Smallest rise of a stack's floor that makes it a candidate. */
  minRise: number;
}

export function groupsOf(input: GroupInput): Group[] {
  const { series, horizon, view } = input;
  const n = view.times.length;
  const edge = Math.max(3, Math.floor(n / 10));
  const tracked = series.trackedStacks();
  // Candidates: stacks whose floor rose by a meaningful amount. Everything
  // else is never classified or tested.
  const candidates: Member[] = [];
  const others: { id: number; slot: number }[] = [];
  for (const id of tracked) {
    const slot = series.slotOf(id)!;
    const values = series.inuse(horizon, slot, view);
    const rise = median(values.slice(-edge)) - median(values.slice(0, edge));
    if (!(rise >= input.minRise)) {
      others.push({ id, slot });
      continue;
    }
    candidates.push({ id, slot, series: values, stack: { frames: input.frames(id), growthBytes: rise, meanObjectBytes: series.typicalObjectBytes(slot) } });
  }
  if (candidates.length === 0) return [];

  const ctx: ProcessContext = { modules: input.modules, functions: input.functions, growing: candidates.map((c) => c.stack) };
  const groups = new Map<string, Group>();
  for (const c of candidates) {
    const classification = asSite(classifyStack(c.stack, ctx));
    const key = `${classification.classId}|${classification.facts.function}`;
    const g = groups.get(key);
    if (g) g.members.push(c);
    else groups.set(key, { key, classification, members: [c] });
  }
  // A group is every tracked stack with the same class and key function, not
  // only the candidates: memory that moves from one caller of an allocation
  // site to another is not growth, and only the sum shows it.
  for (const { id, slot } of others) {
    const frames = input.frames(id);
    for (const g of groups.values()) {
      // A class judged as one site (classes.ts: site) takes any of its stacks.
      if (!g.classification.cls.site && !frames.includes(g.classification.facts.function)) continue;
      const stack = { frames, growthBytes: 0, meanObjectBytes: NaN };
      const c = asSite(classifyStack(stack, ctx));
      if (c.classId === g.classification.classId && c.facts.function === g.classification.facts.function) {
        g.members.push({ id, slot, series: series.inuse(horizon, slot, view), stack });
        break;
      }
    }
  }
  return [...groups.values()];
}

/** A class judged as one allocation site (classes.ts: site) is named by it, whatever frame matched. */
function asSite(c: Classification): Classification {
  const site = c.cls.site;
  return site ? { ...c, facts: { ...c.facts, function: site } } : c;
}

/** The members' inuse summed at each point. */
export function sumOf(members: readonly Member[], n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const m of members) for (let i = 0; i < n; i++) out[i] = out[i]! + m.series[i]!;
  return out;
}

/** The members' in-use (or allocated) bytes summed at each point of a view of ring `h`. */
export function sumOver(series: EpochSeries, h: number, members: readonly Pick<Member, 'slot'>[], view: HistoryView, what: 'inuse' | 'allocated' = 'inuse'): number[] {
  const out = new Array<number>(view.times.length).fill(0);
  for (const m of members) series[what](h, m.slot, view).forEach((v, i) => (out[i] = out[i]! + v));
  return out;
}

/** The mean size of the members' live objects at the latest point (undefined when none are live). */
export function meanObjectBytesOf(series: EpochSeries, members: readonly Pick<Member, 'slot'>[]): number | undefined {
  let bytes = 0;
  let objects = 0;
  for (const m of members) {
    bytes += series.lastBytes(m.slot);
    objects += series.lastObjects(m.slot);
  }
  return objects > 0 ? bytes / objects : undefined;
}
