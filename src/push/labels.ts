/**
 * Labels of a pushed series: Pyroscope's `name=app{k=v,...}` form (the
 * /ingest query of pyroscope-go) and the label pairs of a Connect
 * PushRequest, both checked the same way. Pushers are untrusted: names are
 * restricted, values bounded and free of control bytes, so nothing hostile
 * reaches logs, metrics or the database.
 */
import { HeapwatchError } from '../errors.js';

/** Label names as Pyroscope takes them: Prometheus names plus dots (`otel.scope.name`). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_.]*$/;
const MAX_LABELS = 64;
const MAX_NAME_LENGTH = 256;
const MAX_VALUE_LENGTH = 1024;
// C0 controls and DEL: terminal escapes and NULs in a log line or a label value.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Escapes for an error message: control bytes shown as \xNN, at most 80 characters. */
export function quoteForMessage(text: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.slice(0, 80).replace(/[\u0000-\u001f\u007f"\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}${text.length > 80 ? '…' : ''}"`;
}

/** Checks one label; throws HW_ERR_PUSH_MALFORMED naming what is wrong. */
export function checkLabel(name: string, value: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !LABEL_NAME.test(name)) {
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `label name ${quoteForMessage(name)} is not a label name ([a-zA-Z_][a-zA-Z0-9_.]*, at most ${MAX_NAME_LENGTH} characters)`);
  }
  if (value.length > MAX_VALUE_LENGTH) {
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `label ${name}: value longer than ${MAX_VALUE_LENGTH} characters`);
  }
  if (CONTROL.test(value)) {
    throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `label ${name}: value ${quoteForMessage(value)} has control characters`);
  }
}

/** Label pairs to a record; duplicates and bad labels are refused. */
export function labelRecord(pairs: readonly { name: string; value: string }[]): Record<string, string> {
  if (pairs.length > MAX_LABELS) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `${pairs.length} labels, at most ${MAX_LABELS}`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const { name, value } of pairs) {
    checkLabel(name, value);
    if (name in out) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `label ${name} appears twice`);
    out[name] = value;
  }
  return { ...out };
}

/**
 * Parses pyroscope-go's `name` query parameter, `app.name{key=value,...}`
 * (values unquoted and trimmed, as its labelset parser writes them). The
 * application name becomes `service_name`, as Pyroscope does.
 */
export function parseAppName(name: string): Record<string, string> {
  const brace = name.indexOf('{');
  const app = (brace < 0 ? name : name.slice(0, brace)).trim();
  if (app === '') throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `name ${quoteForMessage(name)} has no application name`);
  const pairs: { name: string; value: string }[] = [{ name: 'service_name', value: app }];
  if (brace >= 0) {
    if (!name.endsWith('}')) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `name ${quoteForMessage(name)}: expected app{key=value,...}`);
    const body = name.slice(brace + 1, -1);
    for (const part of body === '' ? [] : body.split(',')) {
      const eq = part.indexOf('=');
      if (eq < 0) throw new HeapwatchError('HW_ERR_PUSH_MALFORMED', `name ${quoteForMessage(name)}: label ${quoteForMessage(part)} has no "="`);
      const key = part.slice(0, eq).trim();
      // The app name wins over a service_name tag, as in Pyroscope.
      if (key === 'service_name') continue;
      pairs.push({ name: key, value: part.slice(eq + 1).trim() });
    }
  }
  return labelRecord(pairs);
}
