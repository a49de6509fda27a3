/**
 * Seeded random source for the embedded-data generator: a thin wrapper over `seedrandom` with the
 * few draws the generator needs (uniform, integer, pick, chance, normal, shuffle).
 *
 * Every draw goes through one `SeededRandom`, so the whole data set is a pure function of the seed.
 *
 * @module
 */
import seedrandom from "seedrandom";

/** A deterministic random source built from a seed string. */
export class SeededRandom {
  readonly #next: () => number;
  #spareNormal: number | undefined;

  /** Create a source from a seed; the same seed always yields the same sequence. */
  constructor(seed: string) {
    this.#next = seedrandom(seed);
  }

  /** Uniform draw in [0, 1). */
  uniform(): number {
    return this.#next();
  }

  /** Integer draw in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#next() * (hi - lo + 1));
  }

  /** True with probability `p` (clipped to [0, 1]). */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("SeededRandom.pick: empty array");
    return items[Math.floor(this.#next() * items.length)];
  }

  /** Standard normal draw (Box–Muller, cached pair). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const z = this.#spareNormal;
      this.#spareNormal = undefined;
      return z;
    }
    let u = this.#next();
    while (u <= 1e-12) u = this.#next();
    const v = this.#next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A new array with the elements in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.#next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Uppercase hex string of `length` characters (used for ELLIPSE-style text ids). */
  hex(length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) s += "0123456789ABCDEF"[Math.floor(this.#next() * 16)];
    return s;
  }
}
