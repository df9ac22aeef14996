/**
 * The per-class text the alert rules and dashboards show (title, severity,
 * remediation, guide link), read from the class catalogue in
 * src/detect/classes.ts: this is the only way it reaches the generated
 * files, so no remediation text or guide anchor is written twice.
 */
import { CLASS_IDS, GOROUTINE_LEAK, LEAK_CLASSES, UNCLASSIFIED, type LeakClassId, type Severity } from '../detect/classes.js';

/** A leak class's user-facing text, as the dashboards and alert annotations show it. */
export interface ClassText {
  id: LeakClassId;
  title: string;
  severity: Exclude<Severity, 'info'>;
  remediation: string;
  docUrl: string;
}

/** Text that goes into Go templates (alert annotations) and Grafana-interpolated queries must not carry their syntax. */
function checkPlain(id: string, field: string, text: string): void {
  if (/\{\{|\}\}|\$/.test(text)) throw new Error(`class ${id}: ${field} contains template syntax ({{, }} or $): ${text}`);
}

type Row = Pick<ClassText, 'id' | 'title' | 'severity' | 'remediation' | 'docUrl'>;

/** One text per class id, from the class rows; throws on rows that disagree or carry template syntax. */
export function classTexts(rows: readonly Row[] = [...LEAK_CLASSES, UNCLASSIFIED, GOROUTINE_LEAK], ids: readonly LeakClassId[] = CLASS_IDS): ClassText[] {
  return ids.map((id) => {
    const mine = rows.filter((r) => r.id === id);
    const first = mine[0];
    if (!first) throw new Error(`class ${id} has no row in src/detect/classes.ts`);
    // A class may have several rows (alternative stack shapes); they must agree on what users see.
    for (const r of mine) {
      for (const field of ['title', 'severity', 'remediation', 'docUrl'] as const) {
        if (r[field] !== first[field]) throw new Error(`class ${id}: rows disagree on ${field}`);
      }
    }
    checkPlain(id, 'remediation', first.remediation);
    checkPlain(id, 'title', first.title);
    checkPlain(id, 'docUrl', first.docUrl);
    return { id, title: first.title, severity: first.severity, remediation: first.remediation, docUrl: first.docUrl };
  });
}

/** One entry per class id, in CLASS_IDS order. */
export const CLASS_TEXTS: readonly ClassText[] = classTexts();

export function classText(id: LeakClassId): ClassText {
  const t = CLASS_TEXTS.find((c) => c.id === id);
  if (!t) throw new Error(`unknown leak class ${id}`);
  return t;
}

/** A PromQL string literal (Go escaping; JSON's is a subset PromQL accepts). */
export function promString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Wraps an instant-vector expression with a `class` label in label_replace
 * calls that add a `guide` and a `remediation` label per class, so a table
 * panel shows what to do next to each finding.
 */
export function withClassColumns(inner: string): string {
  let expr = inner;
  for (const c of CLASS_TEXTS) expr = `label_replace(${expr}, "guide", ${promString(c.docUrl)}, "class", ${promString(c.id)})`;
  for (const c of CLASS_TEXTS) expr = `label_replace(${expr}, "remediation", ${promString(c.remediation)}, "class", ${promString(c.id)})`;
  return expr;
}

/** The markdown table of classes, remediation and guide links for the text panels. */
export function classTableMarkdown(): string {
  const guide = CLASS_TEXTS[0]!.docUrl.replace(/#.*$/, '');
  const lines = [
    `Each open finding has a leak class. What to do per class ([CloudWeGo Kitex memory-leak self-check guide](${guide})):`,
    '',
    '| class | what grows | severity | remediation | guide |',
    '|---|---|---|---|---|',
    ...CLASS_TEXTS.map((c) => `| \`${c.id}\` | ${c.title} | ${c.severity} | ${c.remediation.replace(/\|/g, '\\|')} | [guide](${c.docUrl}) |`),
    '',
    'Severity `info` = a vulnerable module version (e.g. `github.com/cloudwego/netpoll@v0.2.4`) with no growth seen yet.',
  ];
  return lines.join('\n');
}
