/**
 * `npm run bench`: every benchmark in one run, each printing medians over
 * repeated runs next to its reference measured in the same run.
 *   decode   - bench/decode.bench.ts (gunzip floor, pprof-format, both decoders, go tool pprof)
 *   ingest   - bench/ingest.bench.ts (decode+store per scrape, disk per target-day)
 *   detect   - bench/detect.bench.ts (all detectors over 24 h of one target's history; detection memory)
 *   hostile  - bench/hostile.bench.ts (RSS and the healthy target's scrapes among hostile ones; 10^6-function profile, /healthz p99)
 *   writer   - bench/writer-state.bench.ts (memory the writer keeps per target, append time, on bigservice series)
 *   push     - bench/push.bench.ts (push receivers: pushes/s stored; daemon CPU for 1,000 services pushing every 15 s)
 *   fleet    - bench/fleet.bench.ts (1,000 targets, time-compressed; `--fleet` to include, it takes minutes)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
const steps: [string, string, string[]][] = [
  ['decode and aggregate', here('./decode.bench.js'), []],
  ['ingest and disk', here('./ingest.bench.js'), []],
  ['detection cost and memory', here('./detect.bench.js'), ['--expose-gc']],
  ['hostile targets and huge profiles (default limits)', here('./hostile.bench.js'), []],
  ['writer state and store work, production-size profiles', here('./writer-state.bench.js'), []],
  ['push receivers (Connect PushRequests, 1,000 pushing services)', here('./push.bench.js'), []],
];
if (process.argv.includes('--fleet')) steps.push(['fleet (1,000 targets)', here('./fleet.bench.js'), []]);

let failed = 0;
for (const [name, file, args] of steps) {
  process.stdout.write(`\n# ${name}\n\n`);
  const r = spawnSync(process.execPath, [...args.filter((a) => a.startsWith('--expose')), file, ...args.filter((a) => !a.startsWith('--expose'))], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (!process.argv.includes('--fleet')) process.stdout.write('\n(fleet benchmark: npm run bench -- --fleet)\n');
process.exit(failed ? 1 : 0);
