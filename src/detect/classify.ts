/**
 * The one engine that evaluates the leak classes (classes.ts) against a
 * growing stack. Pure.
 */
import { compareVersions, isDependency, isStandardHelper, isStandardLibrary } from '../pprof/names.js';
import { DECODE_ENTRY, FIELD, GENERATED_DECODE, GOROUTINE_START, LEAK_CLASSES, NPHTTP2, OPAQUE_DECODERS, UNCLASSIFIED, type LeakClass, type LeakClassId, type MatchFacts, type StackCondition } from './classes.js';

/** An allocation site that grew, as classification sees it. */
export interface GrowingStack {
  /** Function names, leaf first. */
  frames: readonly string[];
  growthBytes: number;
  /** Mean object size of the growth (bytes per object, of the objects large or not that grew: history.ts), NaN when unknown. */
  meanObjectBytes: number;
}

/** What is known of the process beyond one stack: some classes depend on versions or on other stacks. */
export interface ProcessContext {
  /** module path -> version, from Function.filename. */
  modules: ReadonlyMap<string, string>;
  /** Every function seen in the process's profiles (any sample type). */
  functions: ReadonlySet<string>;
  /** All stacks growing in this evaluation (for co-growth conditions). */
  growing: readonly GrowingStack[];
}

/** The class a growing stack belongs to (UNCLASSIFIED when none matches), with the facts that decided it. */
export interface Classification {
  classId: LeakClassId;
  cls: Pick<LeakClass, 'title' | 'severity' | 'summary' | 'remediation' | 'docUrl' | 'trend' | 'site' | 'allocatesInFlight'>;
  facts: MatchFacts;
  /** Frames that matched the class's conditions, for the finding's evidence. */
  matchedFrames: string[];
}

export function classifyStack(stack: GrowingStack, ctx: ProcessContext): Classification {
  for (const cls of LEAK_CLASSES) {
    const matched = matchClass(cls, stack, ctx);
    if (matched) return { classId: cls.id, cls, facts: factsOf(cls, stack, ctx), matchedFrames: matched };
  }
  const owner = ownerFrame(stack.frames);
  const facts: MatchFacts = { function: owner ?? '(unknown)' };
  if (owner !== undefined && owner !== stack.frames[0]) facts.via = stack.frames[0];
  const caller = owner === undefined ? undefined : applicationCaller(stack.frames, owner, ctx.modules);
  if (caller !== undefined) facts.calledFrom = caller;
  return { classId: 'unclassified-growth', cls: UNCLASSIFIED, facts, matchedFrames: [] };
}

/**
 * The code that owns an allocation no leak class explains: the first frame
 * from the leaf outside Go's standard library. runtime/pprof already hides the
 * runtime's frames at the top of a stack (makeslice, growslice, mapassign),
 * but not a library helper's: fmt.Sprintf, a strings.Builder, encoding/json.
 * One helper serves a leak, a cache and every request alike; keyed by the
 * helper, they would be judged as one site and the finding would name the
 * helper. When every frame is the standard library's (net/http's own
 * connection goroutines), the first frame outside its value-building helpers
 * (names.ts: isStandardHelper): `net/http.(*Transport).dialConn`, not the
 * `bufio.NewReaderSize` that its server's connections call too (held-out
 * round 63's transport per call). A stack of only the runtime that starts a
 * goroutine (its descriptor, `runtime.malg`, or the `allgs` slice) is owned
 * by `runtime.newproc1`: goroutines piling up, whatever started them. The
 * leaf when there is none.
 */
export function ownerFrame(frames: readonly string[]): string | undefined {
  return frames.find((f) => !isStandardLibrary(f)) ?? frames.find((f) => !isStandardHelper(f)) ?? frames.find((f) => f === GOROUTINE_START) ?? frames[0];
}

/**
 * When the owner is a dependency's frame (client_golang's
 * `prometheus.newHistogram` under label cardinality growth, held-out round
 * 63), the first application frame above it: the code to change. Keying the
 * site there instead was measured and rejected (docs/evaluation.md, Held-out check,
 * round 64); the finding names it.
 */
function applicationCaller(frames: readonly string[], owner: string, modules: ReadonlyMap<string, string>): string | undefined {
  if (!isDependency(owner, modules)) return undefined;
  return frames.slice(frames.indexOf(owner) + 1).find((f) => !isStandardLibrary(f) && !isDependency(f, modules));
}

/**
 * Whether some leak class's stack shape matches, before its version, size,
 * process and co-growth conditions. A stack that none matches is
 * `unclassified-growth` at its owner (ownerFrame) in any process, whatever
 * else grows.
 */
export function mayMatchAClass(frames: readonly string[]): boolean {
  return LEAK_CLASSES.some((cls) => cls.stacks.some((cond) => matchStack(cond, frames) !== undefined));
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
  for (const group of cond.any ? [cond.any, ...(cond.anyOf ?? [])] : (cond.anyOf ?? [])) {
    const f = frames.find((x) => group.some((r) => r.test(x)));
    if (f === undefined) return undefined;
    hits.add(f);
  }
  if (cond.none && frames.some((x) => cond.none!.some((r) => r.test(x)))) return undefined;
  return [...hits];
}

/** Whether the process's module versions allow the class (a class without a version condition: always). */
export function classVersionsHold(cls: Pick<LeakClass, 'versions'>, ctx: ProcessContext): boolean {
  return !cls.versions || versionHolds(cls.versions, ctx);
}

function versionHolds(v: NonNullable<LeakClass['versions']>, ctx: ProcessContext): boolean {
  const version = moduleVersion(v.module, ctx);
  if (version === undefined) return v.whenUnknown;
  if (v.below && compareVersions(version, v.below) >= 0) return false;
  // A version inferred from names is a lower bound: it rules a range out from
  // below, never in from above.
  if (v.below && !ctx.modules.has(v.module)) return v.whenUnknown;
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

/** The first pattern (in priority order) that matches a frame picks the frame nearest the leaf. */
function keyFrameOf(cls: LeakClass, frames: readonly string[]): string | undefined {
  if (!cls.keyFrame) return undefined;
  const patterns: readonly RegExp[] = cls.keyFrame instanceof RegExp ? [cls.keyFrame] : cls.keyFrame;
  for (const r of patterns) {
    const f = frames.find((x) => r.test(x));
    if (f !== undefined) return f;
  }
  return undefined;
}

/** Args/Result wrappers of a generated method: their field is the parameter or the success value, not a data field. */
const WRAPPER = /(?:Args|Result)$/;

function factsOf(cls: LeakClass, stack: GrowingStack, ctx: ProcessContext): MatchFacts {
  const key = keyFrameOf(cls, stack.frames);
  const facts: MatchFacts = { function: key ?? stack.frames[0] ?? '(unknown)' };
  if (key) Object.assign(facts, fieldFacts(key, stack.frames));
  if (stack.frames.some((f) => NPHTTP2.test(f))) facts.transport = 'gRPC';
  if (cls.versions) {
    facts.module = cls.versions.module;
    facts.version = moduleVersion(cls.versions.module, ctx);
  }
  return facts;
}

/**
 * Struct, field id and the outer fields for a generated field frame; for an
 * opaque decoder's frame, the decoder, why the field id is hidden, and the
 * generated struct that handed it the bytes (when there is one).
 */
function fieldFacts(key: string, frames: readonly string[]): Partial<MatchFacts> {
  const m = FIELD.exec(key);
  if (m) {
    // Outer field frames, outermost first, without the Args/Result wrapper.
    const outer = frames
      .slice(frames.indexOf(key) + 1)
      .map((f) => FIELD.exec(f))
      .filter((x): x is RegExpExecArray => x !== null && !WRAPPER.test(x[1]!))
      .map((x) => `${x[1]} field ${x[2]}`)
      .reverse();
    return { struct: m[1], fieldId: Number(m[2]), ...(outer.length ? { fieldPath: outer } : {}) };
  }
  const decoder = OPAQUE_DECODERS.find((d) => d.frame.test(key));
  if (!decoder) return {};
  // Only between the decoder and the codec's entry: a `(*Reader).Read` further up is not the message.
  const entry = frames.findIndex((f) => DECODE_ENTRY.test(f));
  const generated = frames
    .slice(0, entry < 0 ? frames.length : entry)
    .map((f) => GENERATED_DECODE.exec(f))
    .filter((x): x is RegExpExecArray => x !== null);
  // The message rather than a struct inside it, when the frames nearer the leaf are not the kept field's.
  const named = decoder.outermostStruct ? generated.filter((x) => !WRAPPER.test(x[1]!)).at(-1) : generated[0];
  return {
    decoder: decoder.name,
    fieldIdHidden: decoder.why,
    ...(decoder.held ? { heldText: decoder.held } : {}),
    ...(decoder.verb ? { decoderVerb: decoder.verb } : {}),
    ...(named ? { struct: named[1] } : {}),
  };
}
