/**
 * Log de-duplication for errors that repeat on every refresh: the first
 * occurrence of an error from a source (and any change of it) is a warning,
 * the same error again is debug. A broken file_sd file is re-read on every
 * watch event and every refresh_interval; without this it logged three
 * warnings a second.
 */
export class RepeatFilter {
  readonly #last = new Map<string, string>();

  /** 'warn' for news, 'debug' for a repeat of the source's last message. */
  levelFor(source: string, message: string): 'warn' | 'debug' {
    if (this.#last.get(source) === message) return 'debug';
    this.#last.set(source, message);
    return 'warn';
  }

  /** The source works again: its next failure is news. */
  clear(source: string): void {
    this.#last.delete(source);
  }
}

/**
 * Text from an untrusted file or server, made fit for one log line:
 * control and non-ASCII bytes shown as escapes, at most `max` characters.
 */
export function printable(text: string, max = 200): string {
  const clean = text.replace(/[^\x20-\x7e]/g, (c) => (c === '\n' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return clean.length > max ? `${clean.slice(0, max)}... (${clean.length - max} more characters)` : clean;
}
