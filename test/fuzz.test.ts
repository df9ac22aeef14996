/**
 * CI fuzzing: a fixed seed and a few thousand cases over every property of
 * test/fuzz/harness.ts, for every decoder that exists (decodeHeapProfile,
 * and decodeHeapProfileFast once src/pprof/fast-decode.ts lands). The long
 * run is `npm run fuzz` (test/fuzz/main.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadDecoders, runFuzz } from './fuzz/harness.js';

const SEED = 20261128;
const CASES = 3000;
const BUDGET_MS = 45_000;

const decoders = await loadDecoders();

describe('fuzz: decoders and diffProfiles on hostile input', () => {
  for (const { name, decoder } of decoders) {
    it(`${name}: HeapwatchError or a valid profile, in bounded time and memory (seed ${SEED})`, async () => {
      const result = await runFuzz({
        decoder,
        decoderName: name,
        runs: Math.ceil(CASES / decoders.length),
        seed: SEED,
        timeBudgetMs: BUDGET_MS / decoders.length,
        hangMs: 30_000,
        log: (line) => console.log(`[${name}] ${line}`),
      });
      console.log(`[${name}] fuzz: ${result.cases} cases in ${result.ms} ms (seed ${SEED})`);
      assert.ok(result.cases > 0, 'no case ran');
      assert.equal(
        result.failures.length,
        0,
        result.failures.map((f) => `${f.report ?? f.name}${f.artifact ? `\nfailing input: ${f.artifact}` : ''}`).join('\n\n'),
      );
    });
  }
});
