/**
 * One `/v1/extract` call whose answer is checked before it is trusted: the HTTP client already
 * retries timeouts, 5xx and connection errors; this adds retries for a 2xx answer whose body is
 * unusable in transit (truncated or garbled: a body that is not a zip or fails its CRC-32 check).
 * Such an answer is counted as an `http_error` (plus a `retry`) of the `extract` service in
 * `offload_metrics.json`, and nothing of it reaches the cache. A body that arrived whole but
 * holds a malformed answer (bad `meta.json`, a matrix of the wrong shape) is an
 * `InvalidAnswerError`, counted as `invalid_answer` and not resent. Extraction is
 * idempotent, so resending the same request (to the same server or, behind a balancer, another)
 * is safe.
 *
 * @module
 */
import type { OffloadHttpClient } from "./http_client.ts";
import { type ExtractArchive, readExtractZip } from "./hemma/archive.ts";
import { verifyZipIntegrity } from "./zip_integrity.ts";
import { InvalidAnswerError } from "./answer_validation.ts";

/** The answer of every attempt was 2xx but unusable. */
export class InvalidExtractAnswerError extends Error {
  constructor(readonly url: string, readonly attempts: number, readonly lastError: string) {
    super(`${url}: ${attempts} answer(s) unusable; last: ${lastError}`);
    this.name = "InvalidExtractAnswerError";
  }
}

/**
 * POST `{texts, prompts, feature_set}` to `/v1/extract` and decode the zip, resending up to
 * `http.maxRetries` times when the 2xx body fails the integrity or shape checks.
 */
export async function postExtractVerified(
  http: OffloadHttpClient,
  texts: readonly string[],
  prompts: readonly string[],
  featureSet: string,
  signal?: AbortSignal,
  log?: (line: string) => void,
): Promise<ExtractArchive> {
  const source = `${http.baseUrl}/v1/extract`;
  const counters = http.collector.service("extract");
  const attempts = http.maxRetries + 1;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const res = await http.postJsonForBytes("extract", "/v1/extract", {
      texts,
      prompts,
      feature_set: featureSet,
    }, signal);
    try {
      verifyZipIntegrity(res.body, source);
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      counters.httpError++;
      if (attempt < attempts) {
        counters.retries++;
        log?.(`offload ${source}: unusable answer (${lastError}); resending`);
      }
      continue;
    }
    // The body arrived whole (CRC-32 checked): what it holds is the server's answer. A missing
    // or malformed meta.json or a matrix of the wrong shape or dtype is a malformed answer:
    // counted, never cached, not resent (the same server would answer the same way).
    try {
      return readExtractZip(res.body, source, texts.length);
    } catch (e) {
      counters.invalidAnswer++;
      throw new InvalidAnswerError(
        `${source}: malformed answer, not used or cached: ${(e as Error).message}`,
      );
    }
  }
  throw new InvalidExtractAnswerError(source, attempts, lastError);
}
