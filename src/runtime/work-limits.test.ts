/**
 * Bounded work before work (issue 12): every layer a client uploads is
 * checked against the work limits before the server accepts it. The 668-byte
 * Tile sequence of the issue (hello, one Tile layer with an enormous `tiles`,
 * one execute on an empty tensor) and other poisoned parameters are refused at
 * upload while a legitimate client on the same server keeps getting
 * bit-exact answers; every layer of the zoo passes the default limits.
 */
import { connect } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomWeights } from "../executor/random-weights.js";
import { referenceExecutor } from "../executor/reference.js";
import { runLocally } from "../executor/run-locally.js";
import { tensorKey, type Layer, type Network } from "../model/types.js";
import { ZOO_NAMES, zooNetwork } from "../model/zoo/index.js";
import { OffloadingClient } from "./client.js";
import { FrameDecoder, encodeFrameBuffer, layerToJson, type Message } from "./protocol.js";
import { EdgeServer, serveTcp } from "./server.js";
import { tcpTransport } from "./tcp-transport.js";
import { randomInput, sameBits, testNetworks } from "./test-fixtures.js";
import { DEFAULT_WORK_LIMITS, WorkLimitError, checkLayerWork, layerWork, resolveWorkLimits } from "./work-limits.js";

const network: Network = testNetworks()[0]!;
const weights = randomWeights(network, 3);

/** The poisoned layers: each would allocate, spin or read out of bounds if the server trusted it. */
function tileLayer(tiles: number, inputShape: number[], outputShape: number[]): Layer {
  return {
    index: 1, name: "tile", type: "Tile", bottoms: ["data"], tops: ["tile"], inputs: [{ layer: 0, top: 0 }],
    inputShapes: [inputShape], outputShapes: [outputShape], params: { axis: 1, tiles }, paramShapes: [], parameters: 0, macs: 0,
  };
}
const conv = (params: Record<string, unknown>, input: number[], output: number[], paramShapes: number[][]): Layer => ({
  index: 1, name: "conv", type: "Convolution", bottoms: ["data"], tops: ["conv"], inputs: [{ layer: 0, top: 0 }],
  inputShapes: [input], outputShapes: [output],
  params: { numOutput: output[1], kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, group: 1, biasTerm: false, ...params },
  paramShapes, parameters: 0, macs: 0,
});

describe("checkLayerWork", () => {
  it("accepts every layer of every zoo network under the default limits", () => {
    for (const name of ZOO_NAMES) {
      const net = zooNetwork(name);
      for (const layer of net.layers) expect(() => checkLayerWork(layer), `${name} ${layer.name}`).not.toThrow();
    }
  });

  it("refuses the issue's Tile layer (empty input, tiles = 2^31 − 1) and a Tile that would fill gigabytes", () => {
    const attack = tileLayer(2 ** 31 - 1, [1, 0], [1, 0]);
    expect(() => checkLayerWork(attack)).toThrow(WorkLimitError);
    // Even when empty tensors are allowed, the copy loop (outer × tiles) is over the limit.
    const allowEmpty = resolveWorkLimits({ allowEmptyTensors: true });
    const huge = tileLayer(2 ** 31 - 1, [4, 0], [4, 0]);
    expect(layerWork(huge).loopIterations).toBeGreaterThan(DEFAULT_WORK_LIMITS.maxLoopIterations);
    expect(() => checkLayerWork(huge, allowEmpty)).toThrow(/loops/);
    // A non-empty Tile whose declared output says what its parameters give, but is 2^31 elements.
    expect(() => checkLayerWork(tileLayer(2 ** 29, [1, 4], [1, 2 ** 31]))).toThrow(/elements|loop/);
    // Declared output that does not follow from the parameters (a small lie hides a big allocation).
    expect(() => checkLayerWork(tileLayer(2 ** 20, [1, 4], [1, 4]))).toThrow(/parameters give/);
  });

  it("refuses poisoned convolution parameters: lying blob shapes, huge scratch, huge MACs", () => {
    // Honest small layer passes.
    expect(checkLayerWork(conv({}, [1, 3, 8, 8], [1, 4, 6, 6], [[4, 3, 3, 3]])).macs).toBeGreaterThan(0);
    // Blob shapes that do not match the parameters (the kernel would read past the weights).
    expect(() => checkLayerWork(conv({}, [1, 3, 8, 8], [1, 4, 6, 6], [[1]]))).toThrow(/blobs/);
    // A padded convolution whose im2col columns are 2 GiB: refused for scratch (the 864-byte request).
    const pad = 4000;
    const side = 8 + 2 * pad - 2;
    const padded = conv({ padH: pad, padW: pad, numOutput: 1 }, [1, 3, 8, 8], [1, 1, side, side], [[1, 3, 3, 3]]);
    expect(() => checkLayerWork(padded)).toThrow(/scratch|elements/);
    // Enormous kernel volume: MACs over the limit.
    const wide = conv({ kernelH: 1, kernelW: 1, numOutput: 4096 }, [1, 65536, 64, 64], [1, 4096, 64, 64], [[4096, 65536, 1, 1]]);
    expect(() => checkLayerWork(wide)).toThrow(WorkLimitError);
  });

  it("property: any Tile whose declared shapes it accepts costs at most the limits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.array(fc.integer({ min: 0, max: 2 ** 20 }), { minLength: 2, maxLength: 4 }), (tiles, input) => {
        const output = input.map((d, a) => (a === 1 ? d * tiles : d));
        const layer = tileLayer(tiles, input, output);
        let accepted = true;
        try {
          checkLayerWork(layer);
        } catch (error) {
          expect(error).toBeInstanceOf(WorkLimitError);
          accepted = false;
        }
        if (accepted) {
          const work = layerWork(layer);
          expect(work.loopIterations).toBeLessThanOrEqual(DEFAULT_WORK_LIMITS.maxLoopIterations);
          expect(work.maxTensorElements).toBeLessThanOrEqual(DEFAULT_WORK_LIMITS.maxTensorElements);
        }
      }),
      { numRuns: 300 },
    );
  });
});

function interactive(port: number): Promise<{ send(m: Message): void; next(): Promise<Message>; close(): void }> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      const decoder = new FrameDecoder();
      const queue: Message[] = [];
      const waiters: ((m: Message) => void)[] = [];
      socket.on("data", (chunk: Buffer) => {
        for (const m of decoder.push(chunk)) {
          const waiter = waiters.shift();
          if (waiter) waiter(m);
          else queue.push(m);
        }
      });
      resolve({
        send: (m) => socket.write(encodeFrameBuffer(m)),
        next: () => new Promise<Message>((r) => (queue.length > 0 ? r(queue.shift()!) : waiters.push(r))),
        close: () => socket.destroy(),
      });
    });
    socket.on("error", () => undefined);
  });
}

describe("EdgeServer refuses poisoned layers at upload", () => {
  it("the Tile sequence is refused at upload in well under a second, and a legitimate client keeps its bit-exact answers", async () => {
    const server = new EdgeServer({ executorFactory: () => referenceExecutor() });
    const handle = await serveTcp({ server, port: 0, evictEveryMs: 0 });
    try {
      const input = randomInput(network, 5);
      const outKey = tensorKey(network.outputs[0]!);
      const expected = (await runLocally(network, weights, input)).get(outKey)!;
      const client = new OffloadingClient({
        network, weights, local: referenceExecutor(),
        transport: tcpTransport({ host: "127.0.0.1", port: handle.port, timeoutMs: 5000 }),
        plan: { partitions: [{ layers: [1, 2, 3, 4] }, { layers: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] }] },
      });
      await client.start();
      await client.whenUploaded();

      const attacker = await interactive(handle.port);
      const declaration = { name: "t", layers: [{ name: "data", type: "Input" }, { name: "tile", type: "Tile" }] };
      const hello = encodeFrameBuffer({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] });
      attacker.send({ type: "hello", header: { requestId: 1, tensors: [], network: declaration }, tensors: [] });
      const ok = await attacker.next();
      if (ok.type !== "hello-ok") throw new Error(ok.type);
      const sessionId = ok.header.sessionId;
      const poisoned: Layer[] = [
        tileLayer(2 ** 31 - 1, [1, 0], [1, 0]),
        tileLayer(2 ** 28, [1, 4], [1, 2 ** 30]),
        tileLayer(2 ** 20, [1, 4], [1, 4]),
      ];
      const started = performance.now();
      let bytes = hello.length;
      for (const [i, layer] of poisoned.entries()) {
        const upload: Message = {
          type: "upload",
          header: { requestId: 10 + i, tensors: [], sessionId, partition: i, piece: 0, last: true, layers: [layerToJson(layer)], blobs: [] },
          tensors: [],
        };
        bytes += encodeFrameBuffer(upload).length;
        attacker.send(upload);
        const reply = await attacker.next();
        expect(reply.type === "error" && reply.header.code).toBe("over-limit");
      }
      // The execute of the sequence: the layer is not there to run.
      attacker.send({ type: "execute", header: { requestId: 20, tensors: [], sessionId, layers: [1], inputs: ["0:0"], outputs: ["1:0"] }, tensors: [{ shape: [1, 0], data: new Float32Array(0) }] });
      const refused = await attacker.next();
      expect(refused.type === "error" && refused.header.code).toBe("not-uploaded");
      expect(performance.now() - started).toBeLessThan(1000);
      expect(bytes).toBeLessThan(4000);
      attacker.close();

      for (let q = 0; q < 3; q++) {
        const result = await client.query(input);
        expect(result.fellBack).toBe(false);
        expect(result.serverLayers.length).toBeGreaterThan(0);
        expect(sameBits(result.outputs.get(outKey)!, expected)).toBe(true);
      }
      await client.close();
    } finally {
      await handle.close();
    }
  });
});
