/**
 * What a goroutine stack says about the goroutine: what it waits on, the
 * frame that blocks it, the application function it is stuck in, and the
 * function it was started with. Pure string code on frame names, leaf first.
 *
 * Go's goroutine profile (proto form) has no `created by` frame: the last
 * frame is the function the goroutine runs, which is the best "started by"
 * the profile can give. Where a known runtime pattern wraps the real start
 * (Kitex runs each request on a gopool worker), the pattern table names the
 * context, and the finding names the first application frame instead.
 */
import { isStandardLibrary } from '../pprof/names.js';

/** What a parked goroutine waits on, from the runtime frames at its leaf. */
export interface WaitRow {
  /** Leaf-side runtime frame that identifies the wait. */
  frame: RegExp;
  op: string;
  /** What usually fixes a pile of goroutines waiting like this. */
  fix: string;
}

/** Rows in match order; the first whose frame appears among the runtime leaf frames wins. */
export const WAITS: readonly WaitRow[] = [
  { frame: /^runtime\.chansend1?$/, op: 'chan send', fix: 'nobody receives any more: give the channel a buffer of 1 for a single reply, or send in a select with ctx.Done()' },
  { frame: /^runtime\.chanrecv[12]?$/, op: 'chan receive', fix: 'nobody sends or closes any more: close the channel when the producer is done, or receive in a select with ctx.Done()' },
  { frame: /^runtime\.selectgo$/, op: 'select', fix: 'no case can fire any more: add a ctx.Done() (or quit channel) case that returns' },
  { frame: /^runtime\.block$/, op: 'select {}', fix: 'an empty select blocks forever: return instead' },
  { frame: /^(?:internal\/sync|sync)\.runtime_SemacquireMutex$|^sync\.runtime_SemacquireRWMutexR?$/, op: 'mutex lock', fix: 'a path returns without Unlock: use defer mu.Unlock() right after Lock' },
  { frame: /^sync\.runtime_SemacquireWaitGroup$/, op: 'WaitGroup wait', fix: 'an Add has no matching Done: call Done with defer in the goroutine' },
  { frame: /^sync\.runtime_notifyListWait$/, op: 'Cond wait', fix: 'no Signal/Broadcast will come: broadcast on shutdown and re-check the condition' },
  { frame: /^internal\/poll\.runtime_pollWait$/, op: 'IO wait', fix: 'connections stay open: close them (and response bodies), set deadlines or idle timeouts' },
  { frame: /^time\.Sleep$/, op: 'sleep', fix: 'goroutines sleep in a loop that never ends: stop the loop on ctx.Done()' },
  { frame: /^runtime\.semacquire1?$/, op: 'semaphore', fix: 'a semaphore is never released: release it on every path' },
];

/** A known goroutine shape of a library, with the context a finding should give. */
export interface GoroutinePattern {
  id: string;
  /** Every pattern must match some frame. */
  all: RegExp[];
  /** What the goroutine is, for the finding's text. */
  context: string;
  fix?: string;
}

const KX = 'github\\.com/cloudwego/kitex';
const NP = 'github\\.com/cloudwego/netpoll';
const GOPOOL = new RegExp('^github\\.com/bytedance/gopkg/util/gopool\\.\\(\\*worker\\)\\.run\\.func1$');
const re = (s: string): RegExp => new RegExp(`^${s}$`);

/** Goroutines a Kitex server keeps one of (or a fixed few): when they pile up, servers are created again and again. */
const ONE_PER_SERVER = 'one of these lives per Kitex server (or netpoll poller): a pile means servers are created repeatedly and never stopped; create the server once and call Stop on shutdown';

/**
 * Patterns checked against real builds (test/fixtures/goroutine: Kitex v0.16.3,
 * netpoll v0.7.2, gopkg v0.1.4; net/http of go1.26.8 and go1.27.3).
 */
export const GOROUTINE_PATTERNS: readonly GoroutinePattern[] = [
  {
    id: 'kitex-server-handler',
    // The multiplexed transport (server.WithMuxTransport) runs each request
    // as netpollmux's task on a gopool worker (seen in round 38's heap stacks).
    all: [GOPOOL, re(`${KX}/pkg/remote/trans/(?:netpoll\\.\\(\\*transServer\\)\\.onConnRead|netpollmux\\.\\(\\*svrTransHandler\\)\\.task)`)],
    context: 'a Kitex server handler (netpoll connection, run on a gopool worker)',
    fix: 'the handler outlives its request: wait in a select with ctx.Done() (the client timeout cancels ctx), never on a bare channel or lock',
  },
  {
    id: 'http-transport-conn',
    all: [/^net\/http\.\(\*persistConn\)\.(?:readLoop|writeLoop)$/],
    context: 'net/http client connections that are never released',
    fix: 'every resp.Body must be read to EOF and closed (defer resp.Body.Close()); set Client.Timeout so a stuck peer cannot hold a connection forever',
  },
  { id: 'netpoll-event-loop', all: [re(`${NP}\\.\\(\\*eventLoop\\)\\.waitQuit`)], context: 'a netpoll event loop (one per Kitex server)', fix: ONE_PER_SERVER },
  { id: 'netpoll-poller', all: [re(`${NP}\\.\\(\\*defaultPoll\\)\\.Wait`)], context: 'a netpoll poller (a fixed number per process)', fix: ONE_PER_SERVER },
  { id: 'kitex-server-wait-exit', all: [re(`${KX}/server\\.\\(\\*server\\)\\.waitExit`)], context: 'a Kitex server waiting for shutdown (one per server)', fix: ONE_PER_SERVER },
];

/** A goroutine stack's reading. */
export interface GoroutineFacts {
  /** chan send, select, mutex lock, ... or 'running' when the leaf is not a known wait. */
  op: string;
  /** The blocking frame: a standard-library frame (`sync.(*Mutex).Lock`, `net/http.(*persistConn).readLoop`) or else the wait itself (`chan send`). */
  blocking: string;
  /** The first application frame from the leaf (or the first non-runtime frame when the stack has none). */
  function: string;
  /** The function the goroutine was started with: the stack's root. */
  startedBy: string;
  pattern?: GoroutinePattern;
  fix: string;
}

/** Go runtime internals that sit between a wait and the code that waits. */
const RUNTIME = /^(?:runtime|internal\/[\w/]+)\./;

const GENERIC_FIX = 'find why these goroutines never return and give them a way out (ctx.Done(), a close, a timeout)';

export function goroutineFacts(frames: readonly string[]): GoroutineFacts {
  const leafRuntime: string[] = [];
  let i = 0;
  while (i < frames.length && RUNTIME.test(frames[i]!)) leafRuntime.push(frames[i++]!);
  // Waits that sit in the standard library (time.Sleep, sync.runtime_*) are checked on the next frames too.
  const nearLeaf = [...leafRuntime, ...frames.slice(i, i + 3)];
  const wait = WAITS.find((w) => nearLeaf.some((f) => w.frame.test(f)));
  const rest = frames.slice(i);
  // The first frame outside the runtime, skipping the sync package's own internals.
  const firstOutside = rest.find((f) => !/^sync\.runtime_/.test(f)) ?? frames[0] ?? '(unknown)';
  const app = rest.find((f) => !isStandardLibrary(f)) ?? firstOutside;
  const startedBy = frames.at(-1) ?? '(unknown)';
  const pattern = GOROUTINE_PATTERNS.find((p) => p.all.every((r) => frames.some((f) => r.test(f))));
  const op = wait?.op ?? 'running';
  return {
    op,
    blocking: isStandardLibrary(firstOutside) ? firstOutside : op,
    function: app,
    startedBy,
    pattern,
    fix: pattern?.fix ?? wait?.fix ?? GENERIC_FIX,
  };
}

/** The identity of a pile of goroutines: the same wait, in the same function, started the same way. */
export function goroutineKey(f: GoroutineFacts): string {
  return `${f.blocking}|${f.function}|${f.startedBy}`;
}

/** "+20 goroutines/min" or "+12 goroutines/h". */
export function formatGoroutineRate(perHour: number): string {
  const perMin = perHour / 60;
  if (Math.abs(perMin) >= 1) return `${perMin >= 0 ? '+' : '-'}${Math.abs(perMin) >= 10 ? Math.round(Math.abs(perMin)) : Math.abs(perMin).toFixed(1)} goroutines/min`;
  return `${perHour >= 0 ? '+' : '-'}${Math.abs(perHour) >= 10 ? Math.round(Math.abs(perHour)) : Math.abs(perHour).toFixed(1)} goroutines/h`;
}
