/**
 * Where the offload clients cache answers: `output/essay_scoring/.cache/` (the original
 * pipeline's default), with `offload_language_tool/` (`<K>.json`), `offload_embeddings/`
 * (`<E>.npy`) and `offload_handcrafted/<fingerprint>/<H>.npy` + `current_meta.json` — the
 * original clients' layout and keys (see `hemma/cache_keys.ts`).
 *
 * @module
 */

/** Default cache root (relative to the working directory). */
export const DEFAULT_CACHE_ROOT = "output/essay_scoring/.cache";
