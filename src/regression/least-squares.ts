/**
 * Ordinary least squares by Householder QR, on Float64Array — the solver
 * behind the per-layer-type prediction functions of IONN §4 "Install Phase
 * (Server)" (linear regression of layer time on a few layer variables, as
 * Neurosurgeon does).
 *
 * NOTE: why a hand-written solver rather than a dependency. The fits here
 * have at most 3 unknowns (intercept + ≤ 2 variables), so the whole solver is
 * ~80 lines; `simple-statistics` only fits one variable, and the multivariate
 * packages on npm (`ml-regression-multivariate-linear`, `ml-matrix`) solve the
 * normal equations or a general SVD with far more code than we need and no
 * rank-deficiency report in the form we want (an error naming the layer type).
 * Householder QR is backward stable, avoids squaring the condition number as
 * the normal equations do, and exposes R's diagonal for a rank test.
 * `ml-matrix` (a devDependency) is used only in the tests, as a cross-check.
 *
 * Columns are scaled to unit Euclidean norm before factorising (column
 * equilibration), so a column of ones and a column of values near 1e9 are
 * treated alike and the rank test is scale-free; the coefficients are
 * unscaled afterwards.
 *
 * [Reference]: G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed.,
 * §5.2 (Householder QR) and §5.3.3 (the LS solution via QR).
 *
 * @module
 */

/** Result of {@link leastSquares}. */
export interface LeastSquaresResult {
  /** The coefficients β minimising ‖Xβ − y‖₂, one per column of X. */
  readonly coefficients: Float64Array;
  /** Residual sum of squares ‖Xβ − y‖₂². */
  readonly residualSumOfSquares: number;
}

/** Why {@link leastSquares} could not produce a unique solution. */
export class LeastSquaresDegenerate extends Error {
  override name = "LeastSquaresDegenerate";
  constructor(
    message: string,
    /** `"too-few-rows"`, `"rank-deficient"` or `"non-finite"`. */
    readonly reason: "too-few-rows" | "rank-deficient" | "non-finite",
    /** For `rank-deficient`: the column (0-based) found dependent on the previous ones. */
    readonly column = -1,
  ) {
    super(message);
  }
}

/**
 * Relative size below which a diagonal entry of R (after column scaling) is
 * taken as zero, i.e. the column is a linear combination of earlier ones.
 * 1e-10 leaves plenty of room above double rounding (≈1e-16 × n) while
 * catching "all x equal" and exactly proportional variables.
 */
export const RANK_TOLERANCE = 1e-10;

/**
 * Solve min ‖Xβ − y‖₂ for a tall, full-column-rank X by Householder QR.
 *
 * `x` is row-major with `rows × cols` entries. Inputs are not modified.
 * Cost: O(rows · cols²) time, O(rows · cols) extra memory.
 *
 * @throws {@link LeastSquaresDegenerate} when rows < cols, when any entry is
 *   NaN or ±Infinity, or when X is rank-deficient (a scaled |R_jj| below
 *   {@link RANK_TOLERANCE}). Callers translate it into a `RegressionError`
 *   that names the layer type.
 * @example
 * ```ts
 * // y = 2 + 3t at t = 0, 1, 2
 * const x = Float64Array.from([1, 0, 1, 1, 1, 2]);
 * const y = Float64Array.from([2, 5, 8]);
 * leastSquares(x, y, 3, 2).coefficients; // Float64Array [2, 3]
 * ```
 */
export function leastSquares(x: Float64Array, y: Float64Array, rows: number, cols: number): LeastSquaresResult {
  if (x.length !== rows * cols || y.length !== rows) {
    throw new RangeError(`leastSquares: expected ${rows}×${cols} matrix and ${rows} targets, got ${x.length} and ${y.length}`);
  }
  if (rows < cols) {
    throw new LeastSquaresDegenerate(`${rows} sample(s) for ${cols} unknown(s)`, "too-few-rows");
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new LeastSquaresDegenerate(`non-finite variable value ${x[i]} in row ${Math.floor(i / cols)}`, "non-finite");
  }
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i]!)) throw new LeastSquaresDegenerate(`non-finite target value ${y[i]} in row ${i}`, "non-finite");
  }

  // Column-major working copy, columns scaled to unit norm.
  const a = new Float64Array(rows * cols);
  const scale = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let norm = 0;
    for (let i = 0; i < rows; i++) norm = Math.hypot(norm, x[i * cols + j]!);
    if (norm === 0) throw new LeastSquaresDegenerate(`column ${j} is all zeros`, "rank-deficient", j);
    scale[j] = norm;
    for (let i = 0; i < rows; i++) a[j * rows + i] = x[i * cols + j]! / norm;
  }
  const b = Float64Array.from(y);

  // Householder QR: for each column k, reflect a[k.., k] onto ±‖·‖ e_k and
  // apply the same reflection to the remaining columns and to b.
  const diag = new Float64Array(cols);
  for (let k = 0; k < cols; k++) {
    const base = k * rows;
    let norm = 0;
    for (let i = k; i < rows; i++) norm = Math.hypot(norm, a[base + i]!);
    if (norm < RANK_TOLERANCE) {
      throw new LeastSquaresDegenerate(`column ${k} is a linear combination of the previous columns`, "rank-deficient", k);
    }
    const alpha = a[base + k]! > 0 ? -norm : norm;
    // v = a[k..] − alpha e_k, stored in place; vᵀv = 2 norm (norm + |a_kk|).
    a[base + k] = a[base + k]! - alpha;
    const vtv = 2 * norm * (norm + Math.abs(a[base + k]! + alpha));
    for (let j = k + 1; j < cols; j++) {
      const cj = j * rows;
      let dot = 0;
      for (let i = k; i < rows; i++) dot += a[base + i]! * a[cj + i]!;
      const f = (2 * dot) / vtv;
      for (let i = k; i < rows; i++) a[cj + i] = a[cj + i]! - f * a[base + i]!;
    }
    let dot = 0;
    for (let i = k; i < rows; i++) dot += a[base + i]! * b[i]!;
    const f = (2 * dot) / vtv;
    for (let i = k; i < rows; i++) b[i] = b[i]! - f * a[base + i]!;
    diag[k] = alpha;
  }

  // Back substitution R β' = (Qᵀy)[0..cols), then β = β' / scale.
  const beta = new Float64Array(cols);
  for (let k = cols - 1; k >= 0; k--) {
    let s = b[k]!;
    for (let j = k + 1; j < cols; j++) s -= a[j * rows + k]! * beta[j]!;
    beta[k] = s / diag[k]!;
  }
  for (let j = 0; j < cols; j++) beta[j] = beta[j]! / scale[j]!;

  // Residual computed directly (more accurate than ‖(Qᵀy)[cols..]‖² for tiny residuals).
  let rss = 0;
  for (let i = 0; i < rows; i++) {
    let fit = 0;
    for (let j = 0; j < cols; j++) fit += x[i * cols + j]! * beta[j]!;
    const r = y[i]! - fit;
    rss += r * r;
  }
  for (let j = 0; j < cols; j++) {
    if (!Number.isFinite(beta[j]!)) throw new LeastSquaresDegenerate(`coefficient ${j} is not finite`, "rank-deficient", j);
  }
  return { coefficients: beta, residualSumOfSquares: rss };
}
