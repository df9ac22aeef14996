/**
 * diffProfiles cases: pairs of real, mutated, edited or truncated profiles;
 * the result is a HeapwatchError or a valid gzip'd pprof profile that the
 * decoder under test reads back.
 */
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Profile } from 'pprof-format';
import { HeapwatchError } from '../../src/errors.js';
import { diffProfiles } from '../../src/pprof/diff.js';
import { buildMut, buildTrunc, mutArb, truncArb, type MutCase, type TruncCase } from './byte-cases.js';
import { checkMemory, describeError, hex, MIB, type Ctx } from './case.js';
import type { Fixture } from './fixtures.js';
import { checkHeapProfile, checkPprofValid, invariant, InvariantError } from './invariants.js';
import { buildStruct, structArb, type StructCase } from './struct-cases.js';

export type DiffInput = { kind: 'fixture'; fixture: number } | { kind: 'mutation'; c: MutCase } | { kind: 'structure'; c: StructCase } | { kind: 'truncation'; c: TruncCase };
export const diffInputArb = (n: number): fc.Arbitrary<DiffInput> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fixture' as const), fixture: fc.nat({ max: n - 1 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('mutation' as const), c: mutArb(n) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('structure' as const), c: structArb(n) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncation' as const), c: truncArb(n) }) },
  );
export function buildDiffInput(fixtures: Fixture[], d: DiffInput): Uint8Array {
  switch (d.kind) {
    case 'fixture':
      return fixtures[d.fixture]!.gz;
    case 'mutation':
      return buildMut(fixtures, d.c);
    case 'structure':
      return buildStruct(fixtures, d.c);
    case 'truncation':
      return buildTrunc(fixtures, d.c);
  }
}

export function diffCase(ctx: Ctx, fixtures: Fixture[], a: DiffInput, b: DiffInput, wellFormed: boolean): void {
  const base = buildDiffInput(fixtures, a);
  const prof = buildDiffInput(fixtures, b);
  if (wellFormed) {
    // Only pairs the decoder under test accepts: what heapwatch itself diffs.
    const ok = (x: Uint8Array): boolean => !ctx.monitor.run('precondition decode', x, () => ctx.decoder(x, ctx.limits)).threw;
    fc.pre(ok(base) && ok(prof));
  }
  const both = new Uint8Array(base.length + prof.length);
  both.set(base);
  both.set(prof, base.length);
  const label = `diffProfiles(base ${base.length} bytes, profile ${prof.length} bytes)`;
  const r = ctx.monitor.run(label, both, () => diffProfiles(base, prof, ctx.limits));
  const inputs = `\nbase (${base.length} bytes): ${hex(base)}\nprofile (${prof.length} bytes): ${hex(prof)}`;
  try {
    invariant(r.ms <= ctx.maxCaseMs, `diffProfiles took ${Math.round(r.ms)} ms (limit ${ctx.maxCaseMs} ms)`);
    if (r.threw) {
      invariant(r.error instanceof HeapwatchError, `diffProfiles threw something other than a HeapwatchError: ${describeError(r.error)}`);
      return;
    }
    checkMemory(ctx, label);
    const out = r.value!;
    invariant(out instanceof Uint8Array && out.length >= 2 && out[0] === 0x1f && out[1] === 0x8b, 'diffProfiles output is not gzip');
    let p: Profile;
    try {
      p = Profile.decode(gunzipSync(out));
    } catch (err) {
      throw new InvariantError(`diffProfiles output does not gunzip/decode: ${describeError(err)}`);
    }
    invariant(
      p.sampleType.map((t) => p.stringTable.strings[Number(t.type)]).join(',') === 'inuse_objects,inuse_space',
      'diffProfiles output sample types are not [inuse_objects, inuse_space]',
    );
    try {
      checkPprofValid(p);
    } catch (err) {
      if (err instanceof InvariantError) throw new InvariantError(`diffProfiles returned an invalid pprof profile: ${err.message}`);
      throw err;
    }
    // The diff must be readable by the decoder under test (heapwatch diff | heapwatch top).
    const limits = { maxDecompressedBytes: Math.max(ctx.limits.maxDecompressedBytes, 4 * (base.length + prof.length) + 64 * MIB) };
    const d = ctx.monitor.run(`${ctx.decoderName}(diff output)`, out, () => ctx.decoder(out, limits));
    invariant(!d.threw, `${ctx.decoderName} cannot read diffProfiles' output: ${describeError(d.error)}`);
    checkHeapProfile(d.value!, { excuseFrameless: true });
  } catch (err) {
    if (err instanceof InvariantError) err.message += inputs;
    throw err;
  }
}
