import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ProfileMismatchError } from "../errors.js";
import type { Layer, Network } from "../model/types.js";
import { HAS_SHARED, SHARED_SKIP_REASON, sharedPath } from "../../test/shared.js";
import { PUBLISHED_PROFILE_NETWORKS, publishedClientProfile, publishedServerProfile } from "./published.js";
import { alignProfile, parseProfile, parseProfileJson, parseProfileText, profileFromTimes, profileTotalMs } from "./profile.js";

/** A network with only names and types filled in: all that alignment reads. */
function namedNetwork(name: string, layers: Array<[string, string]>): Network {
  return {
    name,
    inputs: [{ layer: 0, top: 0 }],
    outputs: [],
    layers: layers.map(
      ([layerName, type], index): Layer => ({
        index,
        name: layerName,
        type,
        bottoms: [],
        tops: [],
        inputs: [],
        inputShapes: [],
        outputShapes: [],
        params: {},
        paramShapes: [],
        parameters: 0,
        macs: 0,
      }),
    ),
  };
}

const tiny = namedNetwork("tiny", [
  ["data", "Input"],
  ["conv1", "Convolution"],
  ["relu1", "ReLU"],
]);

describe("parseProfileText", () => {
  it("reads index, name and milliseconds per line, with indices from 0", () => {
    const profile = parseProfileText("0 data 0.0038\n1 conv1 70.6632\n2 relu1 2.5688\n", "a.txt");
    expect(profile.layers.map((l) => [l.name, l.ms, l.line])).toEqual([
      ["data", 0.0038, 1],
      ["conv1", 70.6632, 2],
      ["relu1", 2.5688, 3],
    ]);
    expect(profileTotalMs(profile)).toBeCloseTo(73.2358, 10);
  });

  it("accepts indices from 1, blank lines and comments", () => {
    const profile = parseProfileText("# a comment\n1 data 1\n\n2 conv1 2 # trailing\n", "b.txt");
    expect(profile.layers.map((l) => l.name)).toEqual(["data", "conv1"]);
  });

  it("names the file and line of a malformed line", () => {
    expect(() => parseProfileText("0 data 1\n1 conv1\n", "bad.txt")).toThrow(ProfileMismatchError);
    expect(() => parseProfileText("0 data 1\n1 conv1\n", "bad.txt")).toThrow(/bad\.txt:2/);
    expect(() => parseProfileText("0 data 1\n1 conv1 -3\n", "neg.txt")).toThrow(/neg\.txt:2.*conv1/);
    expect(() => parseProfileText("0 data 1\n2 conv1 3\n", "gap.txt")).toThrow(/gap\.txt:2: expected index 1/);
    expect(() => parseProfileText("", "empty.txt")).toThrow(/no layers/);
  });
});

describe("parseProfileJson / parseProfile", () => {
  it("reads the JSON form and dispatches on the first character", () => {
    const json = { device: "odroid-xu4", layers: [{ name: "data", ms: 0 }, { name: "conv1", type: "Convolution", ms: 5 }] };
    const profile = parseProfile(JSON.stringify(json), "p.json");
    expect(profile.device).toBe("odroid-xu4");
    expect(profile.layers[1]).toEqual({ name: "conv1", type: "Convolution", ms: 5 });
  });

  it("names the invalid field", () => {
    expect(() => parseProfileJson({ layers: [{ name: "x", ms: -1 }] }, "p.json")).toThrow(/p\.json: invalid profile field layers\.0\.ms/);
    expect(() => parseProfile("{ not json", "q.json")).toThrow(/q\.json: not valid JSON/);
  });
});

describe("alignProfile", () => {
  it("maps entries to runtime layers by position; the Input layer matches data or input", () => {
    for (const inputName of ["data", "input"]) {
      const ms = alignProfile(tiny, parseProfileText(`0 ${inputName} 0.1\n1 conv1 2\n2 relu1 3\n`, "t.txt"));
      expect(Array.from(ms)).toEqual([0.1, 2, 3]);
    }
  });

  it("rejects a profile of another network, naming the first mismatching line", () => {
    const other = parseProfileText("0 data 0.1\n1 conv1 2\n2 pool1 3\n", "other.txt");
    expect(() => alignProfile(tiny, other)).toThrow(ProfileMismatchError);
    expect(() => alignProfile(tiny, other)).toThrow(/other\.txt:3: profile names layer "pool1" where network tiny has layer 2 "relu1"/);
    const short = parseProfileText("0 data 0.1\n1 conv1 2\n", "short.txt");
    expect(() => alignProfile(tiny, short)).toThrow(/short\.txt: profile has 2 layers but network tiny has 3/);
  });

  it("round-trips through profileFromTimes", () => {
    const profile = profileFromTimes(tiny, [1, 2, 3], "test-device");
    expect(Array.from(alignProfile(tiny, profile))).toEqual([1, 2, 3]);
  });
});

describe.skipIf(!HAS_SHARED)(HAS_SHARED ? "published profiles" : `published profiles (${SHARED_SKIP_REASON})`, () => {
  // Totals from ../shared/profiles/SOURCES.md.
  const cases: Array<[string, number, number]> = [
    ["ionn_odroid_xu4_client/alexnet.txt", 24, 821.7],
    ["ionn_odroid_xu4_client/googlenet.txt", 152, 1340.0],
    ["ionn_odroid_xu4_client/resnet50.txt", 245, 2933.7],
    ["ionn_server_gpu/alexnet.txt", 24, 1.64],
    ["ionn_server_gpu/googlenet.txt", 152, 6.058],
    ["ionn_server_gpu/resnet50.txt", 245, 9.462],
  ];
  it.each(cases)("%s has %i lines summing to %f ms", (file, lines, total) => {
    const profile = parseProfileText(readFileSync(sharedPath(`profiles/${file}`), "utf8"), file);
    expect(profile.layers).toHaveLength(lines);
    expect(profileTotalMs(profile)).toBeCloseTo(total, total > 100 ? 0 : 2);
  });
});

describe.skipIf(!HAS_SHARED)(HAS_SHARED ? "shipped copies of the published profiles" : `shipped profiles (${SHARED_SKIP_REASON})`, () => {
  it.each(PUBLISHED_PROFILE_NETWORKS.map((n) => [n]))("%s equals the files in ../shared/profiles", (net) => {
    const client = parseProfileText(readFileSync(sharedPath(`profiles/ionn_odroid_xu4_client/${net}.txt`), "utf8"));
    const server = parseProfileText(readFileSync(sharedPath(`profiles/ionn_server_gpu/${net}.txt`), "utf8"));
    const strip = (p: { layers: readonly { name: string; ms: number }[] }) => p.layers.map((l) => [l.name, l.ms]);
    expect(strip(publishedClientProfile(net))).toEqual(strip(client));
    expect(strip(publishedServerProfile(net))).toEqual(strip(server));
  });
});
