/**
 * A leak whose function names are attacks on the finding page: markup, an
 * attribute break-out with an event handler, and a `javascript:` URL. Each
 * would set `window.__pwned` if the page ever treated a name as HTML or as
 * a link. Written as a series of real pprof files, one a minute.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticHeapProfile } from './synthetic-profile.js';

export const HOSTILE_NAMES = [
  '<script>window.__pwned = "script"</script>',
  '"><img src=x onerror="window.__pwned = \'img\'">',
  'javascript:window.__pwned = "href"',
] as const;

const MIB = 1024 * 1024;

/** `count` profiles a minute apart from `startMs`: the hostile stack grows 1 MiB a minute over a steady 40 MiB. */
export function writeHostileSeries(dir: string, count = 50, startMs = Date.UTC(2026, 0, 1)): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const leak = (i + 1) * MIB;
    const body = syntheticHeapProfile(
      [
        // Leaf first: the <script> name allocates, called through the other two.
        { stack: [[HOSTILE_NAMES[0]], [HOSTILE_NAMES[1]], [HOSTILE_NAMES[2]], ['main.main']], values: [(i + 1) * 200, leak * 2, (i + 1) * 100, leak] },
        { stack: [['main.background'], ['main.main']], values: [1000 + i * 50, 40 * MIB + i * 10 * MIB, 1000, 40 * MIB] },
      ],
      { timeNanos: BigInt(startMs + i * 60_000) * 1_000_000n },
    );
    const file = join(dir, `heap-${String(i).padStart(3, '0')}.pb.gz`);
    writeFileSync(file, body);
    files.push(file);
  }
  return files;
}
