/**
 * The library's error classes. Every error thrown on bad input is an
 * {@link IonnError}; tests check the class, messages name the file, layer or
 * field at fault.
 *
 * @module
 */

/** Base class of every error the library throws on purpose. */
export class IonnError extends Error {
  /** The class name, `"IonnError"` (what `String(error)` and stack traces show). */
  override name = "IonnError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A model description that cannot be read: malformed text, a bottom blob that
 * no layer produces, a cycle, shapes that do not add up, a missing field.
 */
export class InvalidModelError extends IonnError {
  /** The class name, `"InvalidModelError"` (what `String(error)` and stack traces show). */
  override name = "InvalidModelError";
}

/** Text that does not parse; carries the 1-based line and column. */
export class ParseError extends InvalidModelError {
  /** The class name, `"ParseError"` (what `String(error)` and stack traces show). */
  override name = "ParseError";
  constructor(
    message: string,
    /** 1-based line of the offending token. */
    readonly line: number,
    /** 1-based column of the offending token. */
    readonly column: number,
    /** The file (or source label) being parsed. */
    readonly source = "<input>",
  ) {
    super(`${source}:${line}:${column}: ${message}`);
  }
}

/** A layer or operator type the library does not know how to handle. */
export class UnsupportedLayerError extends InvalidModelError {
  /** The class name, `"UnsupportedLayerError"` (what `String(error)` and stack traces show). */
  override name = "UnsupportedLayerError";
}

/**
 * A network whose importer could not infer some output shapes (opaque
 * operators, symbolic dimensions without `inputShapes`), used where sizes
 * matter (planning): the message names the first such layers and how to
 * proceed (give input shapes, or allow unknown shapes explicitly).
 */
export class UnknownShapeError extends InvalidModelError {
  /** The class name, `"UnknownShapeError"` (what `String(error)` and stack traces show). */
  override name = "UnknownShapeError";
}

/** An execution profile that does not fit the network it is used with. */
export class ProfileMismatchError extends IonnError {
  /** The class name, `"ProfileMismatchError"` (what `String(error)` and stack traces show). */
  override name = "ProfileMismatchError";
}

/** An option or argument out of its domain (K outside (0, 1), bandwidth ≤ 0, …). */
export class InvalidArgumentError extends IonnError {
  /** The class name, `"InvalidArgumentError"` (what `String(error)` and stack traces show). */
  override name = "InvalidArgumentError";
}

/** A regression that cannot be fitted (too few samples, degenerate variables, NaN). */
export class RegressionError extends IonnError {
  /** The class name, `"RegressionError"` (what `String(error)` and stack traces show). */
  override name = "RegressionError";
}

/** A malformed, truncated, oversized or unexpected wire-protocol frame. */
export class ProtocolError extends IonnError {
  /** The class name, `"ProtocolError"` (what `String(error)` and stack traces show). */
  override name = "ProtocolError";
}

/** A transport failure: the peer disappeared, timed out or refused. */
export class TransportError extends IonnError {
  /** The class name, `"TransportError"` (what `String(error)` and stack traces show). */
  override name = "TransportError";
}

/**
 * An optional package the requested feature needs is not installed (for
 * example `onnxruntime-node` for `ionn/onnxruntime`); the message says how
 * to install it.
 */
export class MissingDependencyError extends IonnError {
  /** The class name, `"MissingDependencyError"` (what `String(error)` and stack traces show). */
  override name = "MissingDependencyError";
  constructor(
    /** The npm package that is missing, e.g. `"onnxruntime-node"`. */
    readonly packageName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * An internal invariant was broken: a bug in this library, not in the input.
 * @internal
 */
export function internalError(message: string): never {
  throw new IonnError(`internal error: ${message}; please report this`);
}

/** A request ran past a worker pool's time budget and was cancelled (its worker was terminated). */
export class TimeBudgetError extends IonnError {
  /** The class name, `"TimeBudgetError"`. */
  override name = "TimeBudgetError";
}
