/**
 * One token per live origin, so work begun before a `forget(key)` can tell,
 * when it finishes, that its origin is gone. Without it a profile decoding
 * or queued for detection when its target left would store rows and open a
 * new detection session after the forget, and nothing would forget that one
 * (test/lifecycle.test.ts churns 20,000 targets through this). A target that
 * comes back gets a new token: its old in-flight work stays dropped.
 */

/** The token of one life of an origin. */
export interface OriginLife {
  readonly key: string;
  /** Set by `forget`: whatever still holds this token drops its work. */
  forgotten: boolean;
}

export class OriginLives {
  readonly #lives = new Map<string, OriginLife>();

  /** The origin's current life, begun now if it had none. */
  of(key: string): OriginLife {
    let life = this.#lives.get(key);
    if (!life) {
      life = { key, forgotten: false };
      this.#lives.set(key, life);
    }
    return life;
  }

  /** Ends the origin's current life (no-op if it had none). */
  forget(key: string): void {
    const life = this.#lives.get(key);
    if (!life) return;
    life.forgotten = true;
    this.#lives.delete(key);
  }

  /** Live origins (for tests: nothing is kept for a forgotten one). */
  get size(): number {
    return this.#lives.size;
  }
}
