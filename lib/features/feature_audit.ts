/**
 * Degenerate-feature audit of a feature store's matrices: per column the NaN and infinity rates,
 * whether it is constant or near-constant (one value in ≥ 99 % of the finite rows), whether its
 * values fall outside the column's documented range (`handcrafted/feature_ranges.ts`), and, among
 * the handcrafted columns, whether it is a monotone copy of an earlier column (|Spearman| ≥ 0.99
 * over the rows where both are finite).
 *
 * Why: a store built by a server with a broken pipeline (the original Hemma server disables
 * spaCy's `attribute_ruler`, so `passive_ratio` and `pronoun_noun_ratio` are 0 everywhere; its
 * `parse_tree_depth` is the token count + 1) trains on constant columns and copies of length
 * without a word. The steps log every finding as a WARNING, put the table in the cv/run reports and
 * the store's metadata, and `--drop-degenerate-features` removes the {@link FeatureAudit.degenerate}
 * columns before fitting. Out-of-range values and NaN are reported but not dropped (trees handle
 * NaN; a range breach is a bug to look at, not a column to hide).
 *
 * Pure functions over a {@link FeatureMatrix}; the embedding matrix is checked for constant and
 * non-finite columns only (pairwise Spearman over hundreds of dimensions says nothing useful).
 *
 * @module
 */
import { spearman } from "../model/evaluation/metrics.ts";
import { featureRange } from "./handcrafted/feature_ranges.ts";
import type { ExtractedFeatures, FeatureMatrix } from "./types.ts";

/** What is wrong with a column. */
export type AuditKind =
  | "constant"
  | "near_constant"
  | "monotone_copy"
  | "non_finite"
  | "out_of_range";

/** One finding. */
export interface AuditFinding {
  readonly matrix: "handcrafted" | "embeddings";
  readonly column: string;
  readonly kind: AuditKind;
  /** One human-readable line (values, rates, the column it copies). */
  readonly detail: string;
}

/** Per-column statistics of the audit. */
export interface ColumnAudit {
  readonly matrix: "handcrafted" | "embeddings";
  readonly column: string;
  readonly nanRate: number;
  readonly infRate: number;
  /** Share of finite rows holding the most frequent finite value. */
  readonly modeShare: number;
  readonly min: number;
  readonly max: number;
  /** Documented range (null when the column has none, e.g. embeddings). */
  readonly range: readonly [number, number] | null;
  /** Rows outside the documented range. */
  readonly outOfRange: number;
}

/** The audit of one store. */
export interface FeatureAudit {
  readonly nRows: number;
  readonly thresholds: { readonly nearConstantShare: number; readonly copySpearman: number };
  readonly columns: readonly ColumnAudit[];
  readonly findings: readonly AuditFinding[];
  /** Handcrafted columns `--drop-degenerate-features` removes: constant, near-constant, copies. */
  readonly degenerate: readonly string[];
}

/** Options of {@link auditFeatures}. */
export interface AuditOptions {
  /** Near-constant when one value holds at least this share of finite rows (default 0.99). */
  readonly nearConstantShare?: number;
  /** Monotone copy when |Spearman| ≥ this (default 0.99). */
  readonly copySpearman?: number;
}

const DROP_KINDS: ReadonlySet<AuditKind> = new Set(["constant", "near_constant", "monotone_copy"]);

/**
 * Audit the matrices of extracted features.
 *
 * @example
 * ```ts
 * const audit = auditFeatures(features);
 * audit.findings.filter((f) => f.kind === "constant"); // e.g. passive_ratio from a broken server
 * ```
 */
export function auditFeatures(
  features: ExtractedFeatures,
  options: AuditOptions = {},
): FeatureAudit {
  const share = options.nearConstantShare ?? 0.99;
  const copy = options.copySpearman ?? 0.99;
  const columns: ColumnAudit[] = [];
  const findings: AuditFinding[] = [];
  let nRows = 0;
  for (const matrix of ["handcrafted", "embeddings"] as const) {
    const m = features[matrix];
    if (!m) continue;
    nRows = m.nRows;
    for (let c = 0; c < m.nCols; c++) {
      const col = columnAudit(m, c, matrix);
      columns.push(col);
      findings.push(...columnFindings(col, share));
    }
    if (matrix === "handcrafted") findings.push(...copyFindings(m, columns, copy));
  }
  const degenerate = [
    ...new Set(
      findings.filter((f) => f.matrix === "handcrafted" && DROP_KINDS.has(f.kind)).map((f) =>
        f.column
      ),
    ),
  ];
  return {
    nRows,
    thresholds: { nearConstantShare: share, copySpearman: copy },
    columns,
    findings,
    degenerate,
  };
}

function column(m: FeatureMatrix, c: number): Float64Array {
  const out = new Float64Array(m.nRows);
  for (let r = 0; r < m.nRows; r++) out[r] = m.values[r * m.nCols + c];
  return out;
}

function columnAudit(m: FeatureMatrix, c: number, matrix: ColumnAudit["matrix"]): ColumnAudit {
  const v = column(m, c);
  const name = m.names[c];
  const range = matrix === "handcrafted" ? featureRange(name) ?? null : null;
  let nan = 0;
  let inf = 0;
  let min = Infinity;
  let max = -Infinity;
  let outOfRange = 0;
  const counts = new Map<number, number>();
  for (const x of v) {
    if (Number.isNaN(x)) nan++;
    else if (!Number.isFinite(x)) inf++;
    else {
      min = Math.min(min, x);
      max = Math.max(max, x);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    if (range && !Number.isNaN(x) && (x < range[0] || x > range[1])) outOfRange++;
  }
  const finite = v.length - nan - inf;
  const top = Math.max(0, ...counts.values());
  return {
    matrix,
    column: name,
    nanRate: v.length ? nan / v.length : 0,
    infRate: v.length ? inf / v.length : 0,
    modeShare: finite ? top / finite : 1,
    min: finite ? min : NaN,
    max: finite ? max : NaN,
    range: range ? [range[0], range[1]] : null,
    outOfRange,
  };
}

function columnFindings(col: ColumnAudit, share: number): AuditFinding[] {
  const out: AuditFinding[] = [];
  const at = { matrix: col.matrix, column: col.column };
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  if (col.nanRate > 0 || col.infRate > 0) {
    out.push({
      ...at,
      kind: "non_finite",
      detail: `NaN ${pct(col.nanRate)}, ±Infinity ${pct(col.infRate)}`,
    });
  }
  if (col.min === col.max || Number.isNaN(col.min)) {
    out.push({ ...at, kind: "constant", detail: `every finite value is ${col.min}` });
  } else if (col.modeShare >= share) {
    out.push({
      ...at,
      kind: "near_constant",
      detail: `one value in ${pct(col.modeShare)} of the rows`,
    });
  }
  if (col.outOfRange > 0 && col.range) {
    out.push({
      ...at,
      kind: "out_of_range",
      detail: `${col.outOfRange} value(s) outside [${col.range[0]}, ${col.range[1]}] ` +
        `(min ${col.min}, max ${col.max})`,
    });
  }
  return out;
}

/**
 * |Spearman| of two columns over the rows where both are finite (NaN when fewer than 3 such rows
 * or either side is constant there).
 *
 * @example
 * ```ts
 * spearmanFinite(Float64Array.of(1, 2, 3), Float64Array.of(2, 4, 9)); // 1
 * ```
 */
export function spearmanFinite(a: Float64Array, b: Float64Array): number {
  const rows: number[] = [];
  for (let r = 0; r < a.length; r++) {
    if (Number.isFinite(a[r]) && Number.isFinite(b[r])) rows.push(r);
  }
  if (rows.length < 3) return NaN;
  return spearman(Float64Array.from(rows, (r) => a[r]), Float64Array.from(rows, (r) => b[r]));
}

function copyFindings(
  m: FeatureMatrix,
  audited: readonly ColumnAudit[],
  threshold: number,
): AuditFinding[] {
  const stats = audited.filter((c) => c.matrix === "handcrafted");
  const varying = m.names.flatMap((_, c) => (stats[c].min < stats[c].max ? [c] : []));
  const cols = new Map(varying.map((c) => [c, column(m, c)]));
  const out: AuditFinding[] = [];
  const copied = new Set<number>();
  for (let j = 0; j < varying.length; j++) {
    const b = varying[j];
    for (let i = 0; i < j; i++) {
      const a = varying[i];
      if (copied.has(a)) continue;
      const rho = spearmanFinite(cols.get(a)!, cols.get(b)!);
      if (Math.abs(rho) >= threshold) {
        copied.add(b);
        out.push({
          matrix: "handcrafted",
          column: m.names[b],
          kind: "monotone_copy",
          detail: `Spearman ${rho.toFixed(4)} with ${m.names[a]}`,
        });
        break;
      }
    }
  }
  return out;
}

/**
 * One WARNING line per finding, for `run.log`.
 *
 * @example
 * ```ts
 * for (const line of auditWarnings(audit, "cv_feature_store")) run.log.warn(line);
 * ```
 */
export function auditWarnings(audit: FeatureAudit, store: string): string[] {
  return audit.findings.map((f) =>
    `feature audit (${store}): ${f.matrix} column ${f.column} is ${f.kind.replaceAll("_", " ")}: ` +
    f.detail
  );
}

/**
 * The report section: one row per finding (or a line saying there were none).
 *
 * @example
 * ```ts
 * auditMarkdown(audit, "cv_feature_store", ["passive_ratio"]);
 * ```
 */
export function auditMarkdown(
  audit: FeatureAudit,
  store: string,
  dropped: readonly string[] | null,
): string {
  const head = [
    "## Degenerate-feature audit",
    "",
    `Store \`${store}\`, ${audit.nRows} rows; near-constant = one value in ≥ ` +
    `${100 * audit.thresholds.nearConstantShare} % of the rows, monotone copy = |Spearman| ≥ ` +
    `${audit.thresholds.copySpearman} with an earlier handcrafted column.`,
    "",
  ];
  const tail = dropped === null
    ? [`Kept (pass \`--drop-degenerate-features\` to drop ${audit.degenerate.length} column(s)).`]
    : [`Dropped before fitting (\`--drop-degenerate-features\`): ${dropped.join(", ") || "none"}.`];
  if (audit.findings.length === 0) return [...head, "No findings.", "", ...tail, ""].join("\n");
  const esc = (s: string) => s.replaceAll("|", "\\|");
  const rows = audit.findings.map((f) =>
    `| ${f.matrix} | ${esc(f.column)} | ${f.kind.replaceAll("_", " ")} | ${esc(f.detail)} |`
  );
  return [
    ...head,
    "| matrix | column | finding | detail |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
    ...tail,
    "",
  ].join("\n");
}
