/**
 * The one engine that evaluates the leak classes (classes.ts) against a
 * growing stack. Pure.
 */
import { compareVersions } from '../pprof/names.js';
import { LEAK_CLASSES, UNCLASSIFIED, type LeakClass, type LeakClassId, type MatchFacts, type StackCondition } from './classes.js';

export interface GrowingStack {
  /** Function names, leaf first. */
  frames: readonly string[];
  growthBytes: number;
  /** Mean object size of the growth (bytes per object), NaN when unknown. */
  meanObjectBytes: number;
}

export interface ProcessContext {
  /** module path -> version, from Function.filename. */
  modules: ReadonlyMap<string, string>;
  /** Every function seen in the process's profiles (any sample type). */
  functions: ReadonlySet<string>;
  /** All stacks growing in this evaluation (for co-growth conditions). */
  growing: readonly GrowingStack[];
}

export interface Classification {
  classId: LeakClassId;
  cls: Pick<LeakClass, 'title' | 'severity' | 'summary' | 'remediation' | 'docUrl' | 'trend'>;
  facts: MatchFacts;
  /** Frames that matched the class's conditions, for the finding's evidence. */
  matchedFrames: string[];
}

export function classifyStack(stack: GrowingStack, ctx: ProcessContext): Classification {
  for (const cls of LEAK_CLASSES) {
    const matched = matchClass(cls, stack, ctx);
    if (matched) return { classId: cls.id, cls, facts: factsOf(cls, stack, ctx), matchedFrames: matched };
  }
  return { classId: 'unclassified-growth', cls: UNCLASSIFIED, facts: { function: stack.frames[0] ?? '(unknown)' }, matchedFrames: [] };
}

function matchClass(cls: LeakClass, stack: GrowingStack, ctx: ProcessContext): string[] | undefined {
  let matched: string[] | undefined;
  for (const cond of cls.stacks) {
    matched = matchStack(cond, stack.frames);
    if (matched) break;
  }
  if (!matched) return undefined;
  if (cls.versions && !versionHolds(cls.versions, ctx)) return undefined;
  if (cls.meanObjectBytes) {
    const m = stack.meanObjectBytes;
    if (!Number.isFinite(m)) return undefined;
    if (cls.meanObjectBytes.min !== undefined && m < cls.meanObjectBytes.min) return undefined;
    if (cls.meanObjectBytes.max !== undefined && m > cls.meanObjectBytes.max) return undefined;
  }
  if (cls.processFrames && !anyFunction(ctx, (f) => cls.processFrames!.some((r) => r.test(f)))) return undefined;
  if (cls.coGrowing && !ctx.growing.some((g) => g !== stack && matchStack(cls.coGrowing!, g.frames))) return undefined;
  return matched;
}

/** The frames that satisfy the condition, or undefined when it does not hold. */
export function matchStack(cond: StackCondition, frames: readonly string[]): string[] | undefined {
  const hits = new Set<string>();
  for (const r of cond.all ?? []) {
    const f = frames.find((x) => r.test(x));
    if (f === undefined) return undefined;
    hits.add(f);
  }
  if (cond.any) {
    const f = frames.find((x) => cond.any!.some((r) => r.test(x)));
    if (f === undefined) return undefined;
    hits.add(f);
  }
  if (cond.none && frames.some((x) => cond.none!.some((r) => r.test(x)))) return undefined;
  return [...hits];
}

function versionHolds(v: NonNullable<LeakClass['versions']>, ctx: ProcessContext): boolean {
  const version = moduleVersion(v.module, ctx);
  if (version === undefined) return v.whenUnknown;
  if (v.below && compareVersions(version, v.below) >= 0) return false;
  if (v.atLeast && compareVersions(version, v.atLeast) < 0) return false;
  return true;
}

/**
 * The module's version from filenames; failing that, a lower bound inferred
 * from function names (netpoll renamed LinkBuffer methods to UnsafeLinkBuffer
 * in v0.6.1), which is enough to rule out the pre-v0.2.5 barrier bug.
 */
export function moduleVersion(module: string, ctx: ProcessContext): string | undefined {
  const v = ctx.modules.get(module);
  if (v) return v;
  if (module === 'github.com/cloudwego/netpoll' && anyFunction(ctx, (f) => f.startsWith('github.com/cloudwego/netpoll.(*UnsafeLinkBuffer).'))) {
    return 'v0.6.1';
  }
  return undefined;
}

/** Iterates the process's functions without copying the set (it holds thousands of names). */
function anyFunction(ctx: ProcessContext, test: (name: string) => boolean): boolean {
  for (const f of ctx.functions) if (test(f)) return true;
  return false;
}

function factsOf(cls: LeakClass, stack: GrowingStack, ctx: ProcessContext): MatchFacts {
  const key = cls.keyFrame ? stack.frames.find((f) => cls.keyFrame!.test(f)) : undefined;
  const facts: MatchFacts = { function: key ?? stack.frames[0] ?? '(unknown)' };
  if (key) {
    const m = /\.\(\*(\w+)\)\.(?:FastReadField|ReadField|fastReadField)(\d+)$/.exec(key);
    if (m) {
      facts.struct = m[1];
      facts.fieldId = Number(m[2]);
    }
  }
  if (cls.versions) {
    facts.module = cls.versions.module;
    facts.version = moduleVersion(cls.versions.module, ctx);
  }
  return facts;
}
