/**
 * Per-tenant token buckets for the push receivers. A tenant is the
 * `X-Scope-OrgID` header, as Pyroscope, Mimir and Loki name it (pyroscope-go's
 * TenantID and Alloy's `tenant_id` set it), or `default`. Each request takes
 * one token; a tenant over its rate gets HW_ERR_PUSH_RATE_LIMITED (429) and
 * its pushes are not read any further, so a noisy tenant cannot starve the
 * others or the scrapers.
 */

interface Bucket {
  tokens: number;
  at: number;
}

/** Tenant ids as Cortex-family backends accept them. */
export const TENANT_ID = /^[A-Za-z0-9!._*'()-]{1,150}$/;

/** Buckets kept at most; full buckets are the first dropped (they would start full anyway). */
const MAX_TENANTS = 10_000;

export class TenantRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #rate: number;
  #burst: number;

  constructor(requestsPerSecond: number, burst: number) {
    this.#rate = requestsPerSecond;
    this.#burst = burst;
  }

  /** A reload changes the rate in place; buckets keep their tokens (capped at the new burst). */
  configure(requestsPerSecond: number, burst: number): void {
    this.#rate = requestsPerSecond;
    this.#burst = burst;
  }

  /** Takes one token; false when the tenant is over its rate. */
  take(tenant: string, now: number): boolean {
    let b = this.#buckets.get(tenant);
    if (!b) {
      if (this.#buckets.size >= MAX_TENANTS) this.#evict(now);
      b = { tokens: this.#burst, at: now };
      this.#buckets.set(tenant, b);
    }
    b.tokens = Math.min(this.#burst, b.tokens + ((now - b.at) / 1000) * this.#rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  get tenants(): number {
    return this.#buckets.size;
  }

  #evict(now: number): void {
    for (const [tenant, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.#rate >= this.#burst) this.#buckets.delete(tenant);
    }
    // Every bucket busy: drop the oldest (Map order is insertion order).
    if (this.#buckets.size >= MAX_TENANTS) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}
