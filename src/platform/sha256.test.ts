import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { portableSha256, sha256 } from "./sha256.js";

describe("sha256", () => {
  it("the FIPS 180-4 examples: '', 'abc', the 448-bit message, a million 'a'", () => {
    expect(portableSha256().update("").digestHex()).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(portableSha256().update("abc").digestHex()).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(portableSha256().update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").digestHex()).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    const a = new Uint8Array(1_000_000).fill(0x61);
    expect(portableSha256().update(a).digestHex()).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  });

  it("equals node:crypto on random messages fed in random pieces (and sha256() is node:crypto under Node)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(600), { maxLength: 6 }), (bytes, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const ours = portableSha256();
        let at = 0;
        for (const p of [...points, bytes.length]) {
          ours.update(bytes.subarray(at, p));
          at = p;
        }
        const expected = createHash("sha256").update(bytes).digest("hex");
        expect(ours.digestHex()).toBe(expected);
        expect(sha256().update(bytes).digestHex()).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
