/**
 * Strict config loading: parse YAML, validate against the schema, fill
 * defaults, freeze. Every error names the file, the line, the key path and
 * what was expected, as Prometheus's config errors do.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { HeapwatchError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

/** How far YAML aliases may expand (yaml's own default); a config needs far fewer. */
const MAX_ALIAS_COUNT = 100;

/** Reads and validates a config file. Throws HW_ERR_CONFIG_READ or HW_ERR_CONFIG_INVALID. */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HeapwatchError('HW_ERR_CONFIG_READ', `${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfig(text, file);
}

/** Validates config text; `file` only labels the error messages. */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML syntax: ${e.message.split('\n')[0]}`;
    });
    throw new HeapwatchError('HW_ERR_CONFIG_INVALID', lines.join('\n'));
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (err) {
    // yaml refuses documents whose aliases expand too far (a "billion laughs" config).
    throw new HeapwatchError('HW_ERR_CONFIG_INVALID', `${file}: YAML: too many alias references (at most ${MAX_ALIAS_COUNT} expansions): ${(err as Error).message}`, { cause: err });
  }
  const result = configSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    // The line of the deepest node that exists on the path (a missing key
    // points at the object that lacks it).
    const lineOf = (path: PropertyKey[]): number | undefined => {
      for (let n = path.length; n >= 0; n--) {
        const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    };
    const lines = result.error.issues.map((issue) => describeIssue(issue, file, lineOf));
    throw new HeapwatchError('HW_ERR_CONFIG_INVALID', lines.join('\n'));
  }
  return deepFreeze(result.data);
}

function describeIssue(issue: z.core.$ZodIssue, file: string, lineOf: (path: PropertyKey[]) => number | undefined): string {
  let path = issue.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    // Point at the unknown key itself, not at its parent object.
    path = [...issue.path, issue.keys[0]!];
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  } else if (issue.code === 'invalid_type') {
    message = `expected ${issue.expected}${issue.input === undefined ? ' (missing)' : `, got ${describeValue(issue.input)}`}`;
  } else if (issue.code === 'invalid_key') {
    message = `invalid key: ${issue.issues[0]?.message ?? message}`;
  } else if (issue.code === 'invalid_value' && 'values' in issue) {
    message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  const line = lineOf(path);
  return `${file}${line ? `:${line}` : ''}: ${formatPath(path) || '(top level)'}: ${message}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** `targets[0].labels.service`, the way a user reads a YAML path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
