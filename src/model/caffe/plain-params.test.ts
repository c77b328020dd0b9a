/**
 * The importer reads a plain `convolution_param` / `pooling_param` (known
 * fields, valid values) in one walk over its keys, and everything else
 * through the checked field readers. Both must give the same layer: here
 * each generated message is imported as it is and with one unknown field
 * added (which sends it through the checked readers, adding only a warning).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CaffeMessage, CaffeNetSpec } from "./spec.js";
import { networkFromCaffeNetDetailed } from "./net.js";

const values = fc.constantFrom<unknown>(0, 1, 2, 3, 5, -1, 1.5, Number.NaN, [1], [2], [2, 3], [], [1, 2, 3], [[2]], true, false, "true", 1, "MAX", "AVE", "STOCHASTIC", "CEIL", "FLOOR", {}, undefined);

function message(keys: readonly string[]): fc.Arbitrary<CaffeMessage> {
  return fc.uniqueArray(fc.tuple(fc.constantFrom(...keys), values), { selector: ([k]) => k, maxLength: 7 }).map((entries) => Object.fromEntries(entries) as CaffeMessage);
}

/** A 1×4×9×9 input and one layer of `type` with `param` as its `field`. */
function net(type: string, field: string, param: CaffeMessage): CaffeNetSpec {
  return {
    name: "t",
    layer: [
      { name: "data", type: "Input", top: ["data"], input_param: { shape: [{ dim: [1, 4, 9, 9] }] } },
      { name: "l", type, bottom: ["data"], top: ["l"], [field]: param },
    ],
  };
}

type Outcome = { error: string } | { json: string; warnings: readonly string[] };

function outcome(spec: CaffeNetSpec): Outcome {
  try {
    const { network, warnings } = networkFromCaffeNetDetailed(spec, "t");
    return { json: JSON.stringify(network), warnings };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const CASES = [
  {
    type: "Convolution",
    field: "convolution_param",
    keys: ["num_output", "kernel_size", "kernel_h", "kernel_w", "stride", "stride_h", "stride_w", "pad", "pad_h", "pad_w", "dilation", "group", "axis", "bias_term", "weight_filler", "engine"],
    fixed: { num_output: 2, kernel_size: 3 },
  },
  {
    type: "Pooling",
    field: "pooling_param",
    keys: ["pool", "global_pooling", "ceil_mode", "round_mode", "kernel_size", "kernel_h", "kernel_w", "stride", "stride_h", "stride_w", "pad", "pad_h", "pad_w", "engine"],
    fixed: { kernel_size: 3 },
  },
] as const;

describe.each(CASES)("$field", ({ type, field, keys, fixed }) => {
  it("the plain reading gives what the checked readers give (errors included)", () => {
    const param = fc.oneof(message(keys), message(keys).map((m) => ({ ...fixed, ...m }) as CaffeMessage));
    fc.assert(
      fc.property(param, (msg) => {
        const plain = outcome(net(type, field, msg));
        const checked = outcome(net(type, field, { ...msg, zz_unknown: 1 }));
        if ("error" in plain) {
          expect(checked).toEqual(plain);
          return;
        }
        expect("json" in checked && checked.json).toBe(plain.json);
        const warnings = "warnings" in checked ? checked.warnings : [];
        expect(warnings.join("\n")).toContain(`${field}.zz_unknown`);
        if (plain.warnings.length === 0) expect(warnings).toHaveLength(1);
      }),
      { numRuns: 3000 },
    );
  });
});
