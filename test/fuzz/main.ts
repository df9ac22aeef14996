/**
 * The long fuzz run (`npm run fuzz`):
 *
 *   node dist/test/fuzz/main.js [--cases N] [--seed S] [--seconds T] [--property NAME ...] [--decoder NAME]
 *
 * Runs every property of harness.ts against every available decoder until
 * N cases or T seconds, prints the cases tried per property and in total,
 * and exits 1 on a failure after printing the seed and fast-check's report
 * (shrunk counterexample). Rerun with the printed --seed to reproduce.
 */
import { parseArgs } from 'node:util';
import { loadDecoders, PROPERTY_NAMES, runFuzz, type PropertyName } from './harness.js';

function usage(msg: string): never {
  console.error(`fuzz: ${msg}\nusage: node dist/test/fuzz/main.js [--cases N] [--seed S] [--seconds T] [--property ${PROPERTY_NAMES.join('|')}]... [--decoder NAME]`);
  process.exit(2);
}

function int(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) usage(`--${name} must be an integer, got ${v}`);
  return n;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        cases: { type: 'string' },
        seed: { type: 'string' },
        seconds: { type: 'string' },
        property: { type: 'string', multiple: true },
        decoder: { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  const cases = int(values.cases, 'cases', 100_000);
  const seed = int(values.seed, 'seed', Math.floor(Math.random() * 0x7fffffff));
  const seconds = int(values.seconds, 'seconds', 600);
  if (cases <= 0 || seconds <= 0) usage('--cases and --seconds must be positive');
  const properties = values.property as PropertyName[] | undefined;
  for (const p of properties ?? []) if (!(PROPERTY_NAMES as readonly string[]).includes(p)) usage(`unknown property ${p}`);

  let decoders = await loadDecoders();
  if (values.decoder) decoders = decoders.filter((d) => d.name === values.decoder);
  if (decoders.length === 0) usage(`unknown decoder ${values.decoder}`);

  console.log(`fuzz: seed ${seed}, up to ${cases} cases in ${seconds} s, decoders: ${decoders.map((d) => d.name).join(', ')}`);
  let total = 0;
  let failed = 0;
  for (const { name, decoder } of decoders) {
    const result = await runFuzz({
      decoder,
      decoderName: name,
      runs: Math.ceil(cases / decoders.length),
      seed,
      timeBudgetMs: (seconds * 1000) / decoders.length,
      properties,
      log: (line) => console.log(`[${name}] ${line}`),
    });
    total += result.cases;
    console.log(`[${name}] ${result.cases} cases in ${(result.ms / 1000).toFixed(1)} s`);
    for (const f of result.failures) {
      failed++;
      console.error(`\n[${name}] FAILED: ${f.report ?? f.name}`);
      if (f.artifact) console.error(`failing input bytes: ${f.artifact}`);
    }
  }
  console.log(`fuzz: ${total} cases in total, ${failed} failing propert${failed === 1 ? 'y' : 'ies'} (seed ${seed})`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
