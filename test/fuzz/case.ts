/**
 * Running one case: memory and time accounting, the hang watchdog, and the
 * decode contract (a valid HeapProfile or a HeapwatchError).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { HeapwatchError } from '../../src/errors.js';
import type { DecodeLimits } from '../../src/pprof/inflate.js';
import type { HeapProfile } from '../../src/pprof/profile.js';
import { checkHeapProfile, invariant, InvariantError } from './invariants.js';

/** A decoder under test: `decodeHeapProfile` or any other with its contract. */
export type Decoder = (bytes: Uint8Array, limits: DecodeLimits) => HeapProfile;

export const MIB = 1024 * 1024;

let gcFn: (() => void) | undefined;
export function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

const SAB_HEADER = 4096;
const SAB_INPUT = 16 * MIB;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { sab, hangMs, dir, header } = workerData;
const f64 = new Float64Array(sab, 0, 1);
const i32 = new Int32Array(sab, 8, 2);
const u8 = new Uint8Array(sab);
setInterval(() => {
  const start = f64[0];
  if (start > 0 && Date.now() - start > hangMs) {
    const label = Buffer.from(u8.subarray(16, 16 + i32[1])).toString('utf8');
    const input = u8.subarray(header, header + i32[0]);
    const file = path.join(dir, 'hang-input.bin');
    try { fs.writeFileSync(file, input); } catch {}
    fs.writeSync(2, '\\nfuzz watchdog: one call has run for ' + (Date.now() - start) + ' ms (limit ' + hangMs + ' ms): HANG\\n' +
      'case: ' + label + '\\ninput (' + input.length + ' bytes) written to ' + file + '\\nfirst bytes: ' +
      Buffer.from(input.subarray(0, 256)).toString('hex') + '\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, 250);
`;

export class Monitor {
  private readonly sab: SharedArrayBuffer | undefined;
  private readonly f64: Float64Array | undefined;
  private readonly i32: Int32Array | undefined;
  private readonly u8: Uint8Array | undefined;
  private readonly worker: Worker | undefined;
  cases = 0;
  private failedOnce = false;

  constructor(
    hangMs: number,
    readonly dir: string,
  ) {
    if (hangMs > 0) {
      this.sab = new SharedArrayBuffer(SAB_HEADER + SAB_INPUT);
      this.f64 = new Float64Array(this.sab, 0, 1);
      this.i32 = new Int32Array(this.sab, 8, 2);
      this.u8 = new Uint8Array(this.sab);
      this.worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { sab: this.sab, hangMs, dir, header: SAB_HEADER } });
      this.worker.unref();
    }
  }

  /** Records the case so the watchdog can report it, then times `fn`. */
  run<T>(label: string, input: Uint8Array, fn: () => T): { value?: T; error?: unknown; threw: boolean; ms: number } {
    this.cases++;
    if (this.u8 && this.i32 && this.f64) {
      const n = Math.min(input.length, SAB_INPUT);
      this.u8.set(input.subarray(0, n), SAB_HEADER);
      const lb = Buffer.from(label.slice(0, 1000), 'utf8');
      this.u8.set(lb.subarray(0, SAB_HEADER - 32), 16);
      this.i32[0] = n;
      this.i32[1] = Math.min(lb.length, SAB_HEADER - 32);
      this.f64[0] = Date.now();
    }
    const t0 = performance.now();
    try {
      const value = fn();
      return { value, threw: false, ms: performance.now() - t0 };
    } catch (error) {
      return { error, threw: true, ms: performance.now() - t0 };
    } finally {
      if (this.f64) this.f64[0] = 0;
    }
  }

  markFailed(): void {
    this.failedOnce = true;
  }
  get hasFailed(): boolean {
    return this.failedOnce;
  }
  resetFailed(): void {
    this.failedOnce = false;
  }

  async stop(): Promise<void> {
    if (this.worker) await this.worker.terminate();
  }
}

export function hex(bytes: Uint8Array, max = 512): string {
  const h = Buffer.from(bytes.subarray(0, max)).toString('hex');
  return bytes.length > max ? `${h}... (${bytes.length} bytes)` : h;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return `non-Error thrown: ${String(err)}`;
}

export interface Ctx {
  decoder: Decoder;
  decoderName: string;
  limits: DecodeLimits;
  maxCaseMs: number;
  maxMem: number;
  baseHeap: number;
  deadline: number;
  monitor: Monitor;
}

/** Heap growth while the result is still alive; confirmed after a full GC so garbage does not count. */
export function checkMemory(ctx: Ctx, what: string): void {
  const grown = process.memoryUsage().heapUsed - ctx.baseHeap;
  if (grown <= ctx.maxMem) return;
  gc();
  const after = process.memoryUsage().heapUsed - ctx.baseHeap;
  invariant(after <= ctx.maxMem, `${what}: heapUsed grew by ${Math.round(after / MIB)} MiB (limit ${Math.round(ctx.maxMem / MIB)} MiB)`);
}

/** Runs the decoder under test on one input and checks the contract. */
export function decodeCase(ctx: Ctx, label: string, input: Uint8Array, check: { excuseFrameless?: boolean } = {}): void {
  const r = ctx.monitor.run(label, input, () => ctx.decoder(input, ctx.limits));
  try {
    invariant(r.ms <= ctx.maxCaseMs, `${ctx.decoderName} took ${Math.round(r.ms)} ms (limit ${ctx.maxCaseMs} ms) on ${label}`);
    if (r.threw) {
      invariant(r.error instanceof HeapwatchError, `${ctx.decoderName} threw something other than a HeapwatchError on ${label}: ${describeError(r.error)}`);
      invariant(typeof r.error.code === 'string' && r.error.code.startsWith('HW_ERR_'), `HeapwatchError without a code: ${r.error.message}`);
    } else {
      checkMemory(ctx, label);
      try {
        checkHeapProfile(r.value!, check);
      } catch (err) {
        if (err instanceof InvariantError) throw new InvariantError(`${ctx.decoderName} returned a profile that breaks an invariant on ${label}: ${err.message}`);
        throw new InvariantError(`checking the decoded profile threw on ${label}: ${describeError(err)}`);
      }
    }
  } catch (err) {
    if (err instanceof InvariantError) {
      err.message += `\ninput (${input.length} bytes): ${hex(input)}`;
    }
    throw err;
  }
}
