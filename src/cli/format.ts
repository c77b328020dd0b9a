/**
 * Plain-text tables and number formatting for the `ionn` command's
 * human-readable output.
 *
 * @module
 */

/** A column: header and alignment (numbers right, text left). */
export interface Column {
  readonly header: string;
  readonly align?: "left" | "right";
}

/**
 * Render rows as an aligned text table with a header rule.
 *
 * @example
 * ```ts
 * table([{ header: "layer" }, { header: "ms", align: "right" }], [["conv1", "70.66"]]);
 * ```
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i]?.align === "right" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A number with a fixed count of decimals and thousands separators. */
export function fixed(value: number, decimals = 1): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Bytes as MiB with two decimals. */
export function mib(bytes: number): string {
  return `${fixed(bytes / 2 ** 20, 2)} MiB`;
}

/**
 * A compact list of layer names: the first and last of long runs.
 * `["conv1", "relu1", "norm1", "pool1"]` → `"conv1 … pool1 (4 layers)"`.
 */
export function layerRange(names: readonly string[], max = 4): string {
  if (names.length <= max) return names.join(", ");
  return `${names[0]} … ${names[names.length - 1]} (${names.length} layers)`;
}
