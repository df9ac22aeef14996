/**
 * The fuzz seed corpus: real Go heap profiles from test/fixtures, gzip'd and
 * inflated, loaded once per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FIXTURES, PROFILES } from '../helpers/paths.js';

export interface Fixture {
  name: string;
  gz: Uint8Array;
  raw: Uint8Array;
}

let fixtureCache: { small: Fixture[]; all: Fixture[] } | undefined;

/**
 * The small fixture profiles plus the first and last profile of every corpus
 * scenario (`small`), and those plus large.pb.gz (`all`, used by truncation).
 */
export function loadFixtures(): { small: Fixture[]; all: Fixture[] } {
  if (fixtureCache) return fixtureCache;
  const load = (path: string, name: string): Fixture => {
    const gz = new Uint8Array(readFileSync(path));
    return { name, gz, raw: new Uint8Array(gunzipSync(gz)) };
  };
  const small: Fixture[] = [];
  for (const f of readdirSync(PROFILES).sort()) {
    if (f.endsWith('.pb.gz') && f !== 'large.pb.gz') small.push(load(join(PROFILES, f), `profiles/${f}`));
  }
  const corpus = join(FIXTURES, 'corpus');
  for (const scenario of readdirSync(corpus).sort()) {
    let files: string[];
    try {
      files = readdirSync(join(corpus, scenario, 'profiles')).filter((f) => f.endsWith('.pb.gz')).sort();
    } catch {
      continue;
    }
    for (const f of new Set([files[0], files[files.length - 1]])) {
      if (f) small.push(load(join(corpus, scenario, 'profiles', f), `corpus/${scenario}/${f}`));
    }
  }
  if (small.length === 0) throw new Error('fuzz: no fixture profiles found');
  const all = [...small];
  try {
    all.push(load(join(PROFILES, 'large.pb.gz'), 'profiles/large.pb.gz'));
  } catch {
    // optional
  }
  fixtureCache = { small, all };
  return fixtureCache;
}
