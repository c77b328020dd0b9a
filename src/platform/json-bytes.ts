/**
 * The UTF-8 byte length of `JSON.stringify(value)` without building the
 * string: a walk over plain data (objects, arrays, strings, numbers,
 * booleans, null) that falls back to `JSON.stringify` for anything else
 * (`toJSON`, class instances, typed arrays, strings needing escapes or
 * outside ASCII), so the result always equals
 * `utf8Length(JSON.stringify(value))`.
 *
 * @module
 */
import { utf8Length } from "./index.js";

/** Bytes of a JSON string: its characters verbatim when all are printable ASCII but `"` and `\`, else measured on JSON.stringify. @internal */
export function stringBytes(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return utf8Length(JSON.stringify(text));
  }
  return text.length + 2;
}

/** Characters of `String(value)` for a finite number (a digit count for safe non-negative integers). @internal */
export function numberBytes(value: number): number {
  if (value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value)) {
    // powers of ten up to 1e16 are exact doubles: compare, no division
    let digits = 1;
    for (let p = 10; value >= p; p *= 10) digits++;
    return digits;
  }
  return String(value).length;
}

/**
 * Byte lengths of sub-values many values share (a million layers holding a
 * few distinct shape lists and params objects): the values under the given
 * keys are measured once per object (by identity), up to `limit` objects.
 * @internal
 */
export interface SharedMemo {
  readonly keys: ReadonlySet<string>;
  readonly bytes: Map<object, number>;
  readonly limit: number;
}

/** Bytes of a value inside an array (`undefined`, functions and symbols read `null`). */
function elementBytes(value: unknown, memo: SharedMemo | undefined): number {
  const bytes = valueBytes(value, memo);
  return bytes < 0 ? 4 : bytes;
}

/** True when some enumerable property is inherited by every plain object (then `for…in` would see more than JSON.stringify). @internal */
export function prototypePolluted(): boolean {
  for (const key in {}) if (key !== undefined) return true;
  return false;
}

/**
 * Bytes of a value, or -1 when JSON.stringify leaves it out (`undefined`,
 * functions, symbols), with an optional memo of shared sub-values; the
 * caller checks {@link prototypePolluted} first.
 * @internal
 */
export function valueBytes(value: unknown, memo: SharedMemo | undefined): number {
  switch (typeof value) {
    case "string":
      return stringBytes(value);
    case "number":
      return Number.isFinite(value) ? numberBytes(value) : 4;
    case "boolean":
      return value ? 4 : 5;
    case "undefined":
    case "function":
    case "symbol":
      return -1;
    case "object": {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return utf8Length(JSON.stringify(value));
        let bytes = 2 + Math.max(0, value.length - 1);
        for (let i = 0; i < value.length; i++) bytes += elementBytes(value[i], memo);
        return bytes;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === "function") {
        return utf8Length(JSON.stringify(value));
      }
      // for…in walks the own enumerable string keys (Object.keys' order, without its array), and no inherited
      // ones: jsonUtf8Length falls back to JSON.stringify when Object.prototype has enumerable properties
      const record = value as Record<string, unknown>;
      let bytes = 2;
      let fields = 0;
      for (const key in record) {
        const field = record[key];
        let v: number;
        if (memo !== undefined && typeof field === "object" && field !== null && memo.keys.has(key)) {
          const known = memo.bytes.get(field);
          if (known !== undefined) v = known;
          else {
            v = valueBytes(field, memo);
            if (memo.bytes.size < memo.limit) memo.bytes.set(field, v);
          }
        } else v = valueBytes(field, memo);
        if (v < 0) continue;
        bytes += stringBytes(key) + 1 + v;
        fields++;
      }
      return bytes + Math.max(0, fields - 1);
    }
    default:
      // bigint: let JSON.stringify throw its own TypeError
      return utf8Length(JSON.stringify(value));
  }
}

/**
 * `utf8Length(JSON.stringify(value))` for a value JSON.stringify turns into
 * a string (not `undefined`, a function or a symbol), computed without
 * building the string. `O(size of value)`.
 */
export function jsonUtf8Length(value: unknown): number {
  if (prototypePolluted()) return utf8Length(String(JSON.stringify(value)));
  const bytes = valueBytes(value, undefined);
  return bytes < 0 ? utf8Length(String(JSON.stringify(value))) : bytes;
}
