import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { utf8Length } from "./index.js";
import { jsonUtf8Length } from "./json-bytes.js";

const measured = (value: unknown) => utf8Length(JSON.stringify(value));

describe("jsonUtf8Length", () => {
  it("equals the UTF-8 length of JSON.stringify on arbitrary JSON-like values (property)", () => {
    fc.assert(
      fc.property(fc.anything({ withBoxedValues: false, withMap: false, withSet: false, withTypedArray: true, withDate: true, withNullPrototype: true, withSparseArray: true }), (value) => {
        if (JSON.stringify(value) === undefined) return;
        expect(jsonUtf8Length(value)).toBe(measured(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("handles escapes, non-ASCII, lone surrogates, numbers and left-out values exactly", () => {
    const cases: unknown[] = [
      'a"b\\c\n\u0001\u007f',
      "é€😀",
      "\ud800x",
      [undefined, () => 1, Symbol("s"), NaN, Infinity, -0, 1e21, 123456789012345, -5, 0.1, 9007199254740991, 9007199254740992],
      { a: undefined, b: () => 1, c: 1, "k\"ey": [1, [2, {}]], d: null, e: true, f: false },
      { toJSON: () => ({ x: "long value" }) },
      new Date(0),
      new Float32Array([1.5, 2]),
      Object.assign(Object.create(null) as object, { z: 1 }),
      [],
      {},
    ];
    for (const value of cases) expect(jsonUtf8Length(value), JSON.stringify(value)).toBe(measured(value));
  });
});
