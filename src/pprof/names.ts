/**
 * Function-name normalisation and module-version extraction. Pure string
 * code, shared by the decoder, the store's function dictionary and the leak
 * classes.
 */

/**
 * Drops Go generic type parameters: `pkg.Map[...].Get` becomes `pkg.Map.Get`.
 * Go prints every instantiation as `[...]`, but other producers print the
 * shape (`[go.shape.int]`), which would give each instantiation its own key
 * and blow up cardinality (Pyroscope's DropGoTypeParameters does the same).
 * Brackets are matched with nesting, so `F[map[string]int]` is handled.
 */
export function dropTypeParameters(name: string): string {
  if (!name.includes('[')) return name;
  let out = '';
  let depth = 0;
  for (const ch of name) {
    if (ch === '[') depth++;
    else if (ch === ']' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

/**
 * The top-level directories of Go's standard library (GOROOT/src). A package
 * path whose first element has no dot is the standard library's only if it
 * is one of these: a module may be named without a dot (`module inventory`),
 * and its packages (`inventory/store.(*Store).Put`) are the application's.
 */
const STANDARD_ROOTS = new Set([
  'archive', 'bufio', 'bytes', 'cmp', 'compress', 'container', 'context', 'crypto', 'database', 'debug', 'embed', 'encoding',
  'errors', 'expvar', 'flag', 'fmt', 'go', 'hash', 'html', 'image', 'index', 'internal', 'io', 'iter', 'log', 'maps', 'math',
  'mime', 'net', 'os', 'path', 'plugin', 'reflect', 'regexp', 'runtime', 'slices', 'sort', 'strconv', 'strings', 'structs',
  'sync', 'syscall', 'testing', 'text', 'time', 'unicode', 'unique', 'unsafe', 'vendor', 'weak',
]);

/**
 * Whether a Go function belongs to the standard library: its import path's
 * first element has no dot and is one of GOROOT/src's top-level directories.
 * `main` is the application, and so is every module path (`github.com/...`,
 * or a dotless one such as `inventory/store`).
 */
export function isStandardLibrary(fn: string): boolean {
  const first = rootOf(fn);
  return !first.includes('.') && STANDARD_ROOTS.has(first);
}

/** The first element of a function's import path: `net` for `net/http.(*Client).Do`, `bufio` for `bufio.NewReader`. */
function rootOf(fn: string): string {
  const name = dropTypeParameters(fn);
  const slash = name.indexOf('/');
  return slash < 0 ? name.slice(0, name.indexOf('.')) : name.slice(0, slash);
}

/**
 * Standard-library packages whose functions build values for their caller
 * (buffers, strings, containers, encodings, reflection, the runtime) and keep
 * nothing of their own. On a stack of only the standard library, the first
 * frame outside them is the component that keeps the memory:
 * `bufio.NewReaderSize` serves net/http's client connections and its server's
 * alike, `net/http.(*Transport).dialConn` is where a connection is kept.
 */
const HELPER_ROOTS = new Set([
  'bufio', 'bytes', 'cmp', 'container', 'encoding', 'errors', 'fmt', 'hash', 'internal', 'io', 'iter', 'maps', 'math',
  'reflect', 'runtime', 'slices', 'sort', 'strconv', 'strings', 'sync', 'unicode', 'unique', 'weak',
]);

/** Whether a function is one of the standard library's value-building helpers (HELPER_ROOTS). */
export function isStandardHelper(fn: string): boolean {
  // Every helper root is a standard-library root without a dot, so the root alone decides.
  return HELPER_ROOTS.has(rootOf(fn));
}

/**
 * Whether a function is a dependency's: its package is one of `modules`
 * (module path -> version, read from module-cache filenames, so never the
 * application's own module) or inside one.
 */
export function isDependency(fn: string, modules: ReadonlyMap<string, string>): boolean {
  if (modules.size === 0) return false;
  const name = dropTypeParameters(fn);
  const lastSlash = name.lastIndexOf('/');
  const dot = name.indexOf('.', lastSlash + 1);
  const pkg = dot < 0 ? name : name.slice(0, dot);
  for (let end = pkg.length; end > 0; end = pkg.lastIndexOf('/', end - 1)) {
    if (modules.has(pkg.slice(0, end))) return true;
  }
  return false;
}

/** A Go module and its version, as a function's filename in the module cache reveals it. */
export interface ModuleVersion {
  /** Module path, e.g. `github.com/cloudwego/netpoll`. */
  path: string;
  /** Semantic or pseudo version, e.g. `v0.2.4`. */
  version: string;
}

/**
 * Reads `module@version` from a Go source filename.
 *
 * - `-trimpath`: `github.com/cloudwego/netpoll@v0.2.4/nocopy.go`
 * - module cache: `/root/go/pkg/mod/github.com/!burnt!sushi/toml@v1.2.0/decode.go`
 *   (upper-case letters are escaped as `!x` in cache paths)
 * - vendor or main module: no version, so undefined.
 */
export function moduleFromFilename(filename: string): ModuleVersion | undefined {
  const at = filename.indexOf('@v');
  if (at < 0) return undefined;
  const cacheRoot = filename.lastIndexOf('/pkg/mod/', at);
  const start = cacheRoot >= 0 ? cacheRoot + '/pkg/mod/'.length : 0;
  const end = filename.indexOf('/', at);
  if (end < 0) return undefined;
  const path = unescapeModulePath(filename.slice(start, at));
  const version = filename.slice(at + 1, end);
  if (!/^v\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(version)) return undefined;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._~\-/]*$/.test(path)) return undefined;
  return { path, version };
}

function unescapeModulePath(path: string): string {
  return path.replace(/!([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Semver-ish comparison of Go module versions; pseudo-versions order by their base. */
export function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    const d = pa.nums[i]! - pb.nums[i]!;
    if (d !== 0) return Math.sign(d);
  }
  // A release sorts after its pre-releases (v0.2.5-rc1 < v0.2.5).
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === '') return 1;
  if (pb.pre === '') return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

function parseVersion(v: string): { nums: number[]; pre: string } {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/.exec(v);
  if (!m) return { nums: [0, 0, 0], pre: v };
  return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ?? '' };
}
