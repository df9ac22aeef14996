/**
 * One copy of each function name for every detection session of the
 * process. Each decoded profile brings fresh copies of the same few thousand
 * names; a thousand targets' windows holding their own copies (and stack keys
 * made of them) cost hundreds of megabytes. Names are interned to a number,
 * and stacks are keyed by the numbers.
 */
export class NameTable {
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];

  id(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#names.push(name);
      this.#ids.set(name, id);
    }
    return id;
  }

  /** The shared copy of `name`. */
  canonical(name: string): string {
    return this.#names[this.id(name)]!;
  }

  name(id: number): string {
    return this.#names[id]!;
  }
}

/** The process-wide table (names only grow: a fleet's distinct function names are bounded by its code). */
export const SHARED_NAMES = new NameTable();
