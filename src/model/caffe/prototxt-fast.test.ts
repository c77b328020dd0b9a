/**
 * The one-pass reader gives exactly what the two-stage reader gives on real
 * prototxts and on generated ones (fast-check), and gives up (so the
 * two-stage reader reports the error with line and column) on bad input.
 */
import { existsSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeCaffeNet, parseTextFormat } from "./prototxt.js";
import { parsePrototxtFast } from "./prototxt-fast.js";

const slow = (text: string) => normalizeCaffeNet(parseTextFormat(text, "t"), "t");
const files = [
  new URL("../../../test/fixtures/tiny-cnn.prototxt", import.meta.url).pathname,
  new URL("../../../node_modules/prototxt-parser/deploy.prototxt", import.meta.url).pathname,
  ...["alexnet", "googlenet", "resnet50"].map((m) => new URL(`../../../../shared/models/${m}.prototxt`, import.meta.url).pathname),
].filter((f) => existsSync(f));

describe("parsePrototxtFast", () => {
  it.each(files)("%s: same spec as the two-stage reader", (file) => {
    const text = readFileSync(file, "utf8");
    const fast = parsePrototxtFast(text);
    expect(fast).toBeDefined();
    expect(fast).toEqual(slow(text));
  });

  it("agrees with the two-stage reader on generated text, or gives up where it throws", () => {
    const name = fc.constantFrom("name", "type", "bottom", "top", "dim", "kernel_size", "num_output", "pool", "layer", "input", "input_dim", "x_y");
    const scalar = fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.constantFrom('"a"', "'b c'", "MAX", "true", "1.5e-3", "-inf", "nan", "2f", '"x" "y"'));
    const field: fc.Arbitrary<string> = fc.letrec((tie) => ({
      field: fc.oneof(
        { depthSize: "small" },
        fc.tuple(name, scalar).map(([n, v]) => `${n}: ${v}`),
        fc.tuple(name, fc.array(scalar, { maxLength: 3 })).map(([n, v]) => `${n}: [${v.join(", ")}]`),
        fc.tuple(name, fc.array(tie("field"), { maxLength: 3 }), fc.boolean()).map(([n, f, colon]) => `${n}${colon ? ":" : ""} { ${f.join(" ")} }`),
      ),
    })).field as fc.Arbitrary<string>;
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), fc.constantFrom("\n", " ", "; ", " # c\n"), (fields, sep) => {
        const text = fields.join(sep);
        let expected: unknown;
        let threw = false;
        try {
          expected = slow(text);
        } catch {
          threw = true;
        }
        const fast = parsePrototxtFast(text);
        if (threw) expect(fast).toBeUndefined();
        else if (fast !== undefined) expect(fast).toEqual(expected);
      }),
      { numRuns: 400, seed: 15 },
    );
  });

  it("gives up on errors and escapes", () => {
    for (const text of ['layer { name: "a" ', "layer { name: 3 }", 'name: "a\\n"', "layer: 1", "a: }"]) expect(parsePrototxtFast(text)).toBeUndefined();
  });
});
