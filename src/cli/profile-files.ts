/**
 * Which files `analyze` and `import` read. A file named on the command line
 * is read whatever its name. In a folder, a file is taken when it holds a
 * pprof profile: its name ends in `.pb.gz` or `.pb`, or its first bytes are
 * a profile's, gzipped or not. Users keep profiles under every name
 * (`curl -o heap.out`, `mem.pprof`, `heap-1.prof`, `heap.gz`), as
 * `go tool pprof` reads them all; a manifest, a README or a log beside them
 * is left alone. Go's legacy text form (`?debug=1`) is taken too, so that
 * its decode says how to fetch the binary form instead of the folder
 * reading as empty.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { HeapwatchError } from '../errors.js';
import { isGzip, LEGACY_TEXT_PROFILE } from '../pprof/inflate.js';

const PROFILE_NAME = /\.pb(?:\.gz)?$/;

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

/** Every profile file under the given paths, recursively, each folder in natural order (heap-2 before heap-10). */
export function collectProfileFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, named: boolean): void => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw new HeapwatchError('HW_ERR_BAD_REQUEST', `${p}: no such file or directory`);
    if (st.isDirectory()) {
      // Natural order: it orders profiles that carry no time_nanos, and breaks ties.
      for (const name of readdirSync(p).sort(naturalOrder)) walk(join(p, name), false);
    } else if (named || PROFILE_NAME.test(p) || (st.isFile() && holdsProfile(p))) {
      out.push(p);
    }
  };
  for (const p of paths) walk(p, true);
  return out;
}

/** What `analyze` and `import` say when a path holds no profile. */
export function noProfilesError(paths: readonly string[]): HeapwatchError {
  return new HeapwatchError('HW_ERR_BAD_REQUEST', `no pprof profiles (gzipped or not, under any file name) under ${paths.join(', ')}`);
}

/** Enough of a file to see how it begins, inflated when gzipped. */
const SNIFF_BYTES = 512;

/** Whether a file begins as a pprof profile does, gzipped or not, or as Go's text form of one. */
export function holdsProfile(file: string): boolean {
  const head = readHead(file);
  if (isGzip(head)) {
    try {
      // A prefix of a gzip stream: inflate what it holds, without asking for its end.
      return beginsAsProfile(gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }));
    } catch {
      return false;
    }
  }
  return beginsAsProfile(head) || LEGACY_TEXT_PROFILE.test(Buffer.from(head).toString('latin1'));
}

/**
 * A Profile message as Go (runtime/pprof), pprof's own library and
 * pprof-format write it begins with its first sample type: field 1,
 * length-delimited (0x0a), then its length, then the ValueType's first
 * field, a varint (0x08). A text file or JSON begins otherwise.
 */
export function beginsAsProfile(bytes: Uint8Array): boolean {
  if (bytes[0] !== 0x0a) return false;
  let i = 1;
  while (i < bytes.length && i < 6 && (bytes[i]! & 0x80) !== 0) i++;
  return bytes[i + 1] === 0x08;
}

function readHead(file: string): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    return buf.subarray(0, readSync(fd, buf, 0, SNIFF_BYTES, 0));
  } catch {
    // Unreadable here: not taken from a folder (naming it reads it, and says why it cannot).
    return new Uint8Array(0);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
