/**
 * Errors and the digest type of the partition store.
 *
 * @module
 */
import { IonnError } from "../errors.js";

/** A sha256 digest in lowercase hex (64 characters). */
export type Digest = string;

/** A store entry or a blob whose bytes do not match its digest (or whose chunks are inconsistent). */
export class StoreIntegrityError extends IonnError {
  /** The class name, `"StoreIntegrityError"`. */
  override name = "StoreIntegrityError";
  constructor(
    /** The digest concerned. */
    readonly digest: string,
    message: string,
  ) {
    super(message);
  }
}

/** The store backend is unreachable or did not answer in time. */
export class StoreUnavailableError extends IonnError {
  /** The class name, `"StoreUnavailableError"`. */
  override name = "StoreUnavailableError";
}

/** A store option or URL out of its domain, or an optional dependency that is not installed. */
export class StoreConfigError extends IonnError {
  /** The class name, `"StoreConfigError"`. */
  override name = "StoreConfigError";
}
