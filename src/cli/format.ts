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
 * A compact list of layer names: short lists in full, long ones as their
 * first three and last two names with the count.
 * `["conv1", "relu1", "norm1", "pool1", "conv2", "relu2", "norm2"]` →
 * `"conv1, relu1, norm1, …, relu2, norm2 (7 layers)"`.
 */
export function layerRange(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, 3).join(", ")}, …, ${names.slice(-2).join(", ")} (${names.length} layers)`;
}

/** `1 partition`, `3 partitions`. */
export function plural(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
