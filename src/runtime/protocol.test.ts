/**
 * The wire protocol (docs/protocol.md): frames round-trip, the incremental
 * decoder handles any chunking, and every kind of malformed input is a
 * ProtocolError without large allocations.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolError } from "../errors.js";
import {
  DEFAULT_LIMITS,
  FrameDecoder,
  MESSAGE_CODES,
  PREFIX_BYTES,
  type Message,
  decodeFrame,
  encodeFrameBuffer,
  frameSize,
  resolveLimits,
  uploadMessages,
} from "./protocol.js";
import { sameBits } from "./test-fixtures.js";

const SESSION = "0123456789abcdef0123456789abcdef";

function execute(values: number[], shape: number[]): Message {
  return {
    type: "execute",
    header: { requestId: 7, tensors: [], sessionId: SESSION, layers: [3, 4], inputs: ["2:0"], outputs: ["4:0"] },
    tensors: [{ shape, data: Float32Array.from(values) }],
  };
}

/** A hand-built frame: prefix fields given explicitly. */
function rawFrame(fields: { magic?: number[]; version?: number; type?: number; reserved?: number; length?: number; header?: string; body?: Uint8Array }): Uint8Array {
  const header = new TextEncoder().encode(fields.header ?? `{"requestId":1,"sessionId":"${SESSION}"}`);
  const padded = (header.length + 3) & ~3;
  const body = fields.body ?? new Uint8Array(0);
  const frame = new Uint8Array(PREFIX_BYTES + padded + body.length);
  frame.set(fields.magic ?? [0x49, 0x4f, 0x4e, 0x4e], 0);
  const view = new DataView(frame.buffer);
  view.setUint8(4, fields.version ?? 1);
  view.setUint8(5, fields.type ?? MESSAGE_CODES.bye);
  view.setUint16(6, fields.reserved ?? 0, true);
  view.setUint32(8, fields.length ?? frame.length, true);
  view.setUint32(12, header.length, true);
  frame.set(header, PREFIX_BYTES);
  frame.fill(0x20, PREFIX_BYTES + header.length, PREFIX_BYTES + padded);
  frame.set(body, PREFIX_BYTES + padded);
  return frame;
}

describe("frame layout", () => {
  it("encodes the prefix as documented: magic, version, type, reserved, length, header length; body little-endian and 4-aligned", () => {
    const frame = encodeFrameBuffer(execute([1.5, -2], [1, 2]));
    expect([...frame.subarray(0, 4)]).toEqual([0x49, 0x4f, 0x4e, 0x4e]);
    const view = new DataView(frame.buffer, frame.byteOffset);
    expect(view.getUint8(4)).toBe(1);
    expect(view.getUint8(5)).toBe(5);
    expect(view.getUint16(6, true)).toBe(0);
    expect(view.getUint32(8, true)).toBe(frame.length);
    const headerLength = view.getUint32(12, true);
    const bodyStart = PREFIX_BYTES + ((headerLength + 3) & ~3);
    expect(bodyStart % 4).toBe(0);
    expect(frame.length - bodyStart).toBe(8);
    // 1.5 = 0x3FC00000, -2 = 0xC0000000, little-endian
    expect([...frame.subarray(bodyStart)]).toEqual([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(JSON.parse(new TextDecoder().decode(frame.subarray(16, 16 + headerLength))).tensors).toEqual([[1, 2]]);
    expect(frameSize(execute([1.5, -2], [1, 2]))).toBe(frame.length);
  });

  it("round-trips any tensors bit for bit (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.float(), { maxLength: 20 }), { maxLength: 5 }), (arrays) => {
        const message: Message = {
          type: "result",
          header: { requestId: 3, tensors: [], outputs: arrays.map((_, i) => `${i}:0`) },
          tensors: arrays.map((a) => ({ shape: [1, a.length], data: Float32Array.from(a) })),
        };
        const decoded = decodeFrame(encodeFrameBuffer(message));
        expect(decoded.type).toBe("result");
        expect(decoded.tensors.length).toBe(arrays.length);
        decoded.tensors.forEach((t, i) => expect(sameBits(t, message.tensors[i]!)).toBe(true));
      }),
      { numRuns: 100 },
    );
  });

  it("decodes a stream cut into arbitrary chunks, split or coalesced (property)", () => {
    const messages: Message[] = [execute([1, 2, 3], [3]), execute([], [0]), { type: "bye", header: { tensors: [] }, tensors: [] }, execute([4], [1, 1])];
    const stream = Buffer.concat(messages.map((m) => encodeFrameBuffer(m)));
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length];
        const decoder = new FrameDecoder();
        const out: Message[] = [];
        for (let i = 0; i + 1 < points.length; i++) out.push(...decoder.push(stream.subarray(points[i], points[i + 1])));
        decoder.end();
        expect(out.map((m) => m.type)).toEqual(["execute", "execute", "bye", "execute"]);
        expect([...out[0]!.tensors[0]!.data]).toEqual([1, 2, 3]);
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it("splits a partition upload into pieces that rebuild every blob", () => {
    const layer = {
      index: 1, name: "fc", type: "InnerProduct", bottoms: ["data"], tops: ["fc"], inputs: [{ layer: 0, top: 0 }],
      inputShapes: [[1, 5]], outputShapes: [[1, 3]], params: { numOutput: 3, biasTerm: true, axis: 1 },
      paramShapes: [[3, 5], [3]], parameters: 18, macs: 15,
    };
    const w = Float32Array.from({ length: 15 }, (_, i) => i);
    const b = Float32Array.from([100, 101, 102]);
    const pieces = uploadMessages({ index: 4, layers: [layer], weights: new Map([["fc", [w, b]]]) }, SESSION, 10, 16);
    expect(pieces.map((p) => p.header.piece)).toEqual([0, 1, 2, 3, 4]);
    expect(pieces.map((p) => p.header.last)).toEqual([false, false, false, false, true]);
    expect(pieces[0]!.header.layers?.length).toBe(1);
    expect(pieces.slice(1).every((p) => p.header.layers === undefined)).toBe(true);
    const rebuilt = [new Float32Array(15), new Float32Array(3)];
    for (const piece of pieces) {
      const decoded = decodeFrame(encodeFrameBuffer(piece));
      if (decoded.type !== "upload") throw new Error("not an upload");
      decoded.header.blobs.forEach((d, i) => rebuilt[d.blob]!.set(decoded.tensors[i]!.data, d.offset));
    }
    expect([...rebuilt[0]!]).toEqual([...w]);
    expect([...rebuilt[1]!]).toEqual([...b]);
  });
});

describe("malformed frames are ProtocolErrors", () => {
  const cases: [string, Uint8Array][] = [
    ["bad magic", rawFrame({ magic: [0x47, 0x45, 0x54, 0x20] })],
    ["unknown version", rawFrame({ version: 2 })],
    ["unknown message type", rawFrame({ type: 99 })],
    ["message type 0", rawFrame({ type: 0 })],
    ["nonzero reserved field", rawFrame({ reserved: 1 })],
    ["header that is not JSON", rawFrame({ header: "{not json" })],
    ["header that is not UTF-8", rawFrame({ header: "\uFFFF" }).map((b, i) => (i === 16 ? 0xff : b))],
    ["header missing a field", rawFrame({ type: MESSAGE_CODES.execute, header: `{"requestId":1}` })],
    ["bad session id", rawFrame({ type: MESSAGE_CODES.execute, header: `{"requestId":1,"sessionId":"x","layers":[1],"inputs":[],"outputs":["1:0"]}` })],
    ["tensor shapes that need more body than sent", rawFrame({ type: MESSAGE_CODES.result, header: `{"requestId":1,"outputs":["1:0"],"tensors":[[4]]}`, body: new Uint8Array(8) })],
    ["trailing body bytes", rawFrame({ type: MESSAGE_CODES.result, header: `{"requestId":1,"outputs":[],"tensors":[]}`, body: new Uint8Array(4) })],
    ["a huge tensor shape", rawFrame({ type: MESSAGE_CODES.result, header: `{"requestId":1,"outputs":["1:0"],"tensors":[[2147483647,2147483647]]}`, body: new Uint8Array(4) })],
  ];
  for (const [name, frame] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => decodeFrame(frame)).toThrow(ProtocolError);
      expect(() => new FrameDecoder().push(frame)).toThrow(ProtocolError);
    });
  }

  it("rejects an oversized length prefix before buffering the frame", () => {
    const limits = { maxFrameBytes: 1024 };
    const frame = rawFrame({ length: 1025 });
    const decoder = new FrameDecoder(limits);
    expect(() => decoder.push(frame.subarray(0, PREFIX_BYTES))).toThrow(/exceeds maxFrameBytes/);
    expect(decoder.bufferedBytes).toBe(0);
    expect(() => decoder.push(new Uint8Array(1))).toThrow(ProtocolError); // stays failed
    expect(() => new FrameDecoder().push(rawFrame({ length: 0xffffffff }).subarray(0, 16))).toThrow(/exceeds maxFrameBytes/);
  });

  it("rejects a header length over the limit and a frame length under the prefix", () => {
    const big = rawFrame({});
    new DataView(big.buffer).setUint32(12, DEFAULT_LIMITS.maxHeaderBytes + 1, true);
    expect(() => new FrameDecoder().push(big)).toThrow(/maxHeaderBytes/);
    expect(() => new FrameDecoder().push(rawFrame({ length: 8 }))).toThrow(/does not fit/);
  });

  it("rejects garbage as soon as the first bytes are not the magic", () => {
    expect(() => new FrameDecoder().push(Uint8Array.of(0x49, 0x00))).toThrow(/bad magic/);
  });

  it("reports a stream that ends inside a frame (truncated)", () => {
    const frame = encodeFrameBuffer(execute([1, 2], [2]));
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, frame.length - 3))).toEqual([]);
    expect(() => decoder.end()).toThrow(/truncated/);
    expect(() => decodeFrame(frame.subarray(0, frame.length - 3))).toThrow(/truncated/);
  });

  it("enforces the tensors-per-frame limit on both sides", () => {
    const limits = resolveLimits({ maxTensorsPerFrame: 2 });
    const message = execute([1], [1]);
    const three: Message = { ...message, tensors: [message.tensors[0]!, message.tensors[0]!, message.tensors[0]!] } as Message;
    expect(() => encodeFrameBuffer(three, limits)).toThrow(/maxTensorsPerFrame/);
    expect(() => decodeFrame(encodeFrameBuffer(three), limits)).toThrow(/maxTensorsPerFrame/);
  });

  it("throws only ProtocolError on random bytes and on mutated valid frames (property)", () => {
    const valid = encodeFrameBuffer(execute([1, 2, 3, 4], [2, 2]));
    const arbitraryBytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
        const copy = valid.slice();
        copy[i] = b;
        return copy;
      }),
      fc.integer({ min: 0, max: valid.length }).map((n) => valid.slice(0, n)),
    );
    fc.assert(
      fc.property(arbitraryBytes, (bytes) => {
        const decoder = new FrameDecoder({ maxFrameBytes: 4096 });
        try {
          decoder.push(bytes);
          decoder.end();
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(4096);
      }),
      { numRuns: 1000 },
    );
  });
});
