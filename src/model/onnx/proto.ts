/**
 * Decodes the parts of an ONNX `ModelProto` the importer needs into plain
 * objects, with the {@link WireReader} (no dependency; see wire.ts for why).
 * Field numbers are those of onnx/onnx.proto (IR version 3 to 10):
 * ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto.Tensor, TensorShapeProto, OperatorSetIdProto.
 * Unknown fields are skipped, so newer files still decode.
 *
 * Weight data is never copied: a tensor keeps a view of its `raw_data`.
 *
 * [Reference]: https://github.com/onnx/onnx/blob/main/onnx/onnx.proto
 *
 * @module
 */
import { InvalidModelError } from "../../errors.js";
import { WireReader, WireType } from "./wire.js";

/** ONNX `TensorProto.DataType` values and their element sizes in bytes (0 = variable/unknown). */
export const ONNX_DATA_TYPES: Readonly<Record<number, { name: string; bytes: number }>> = {
  1: { name: "float32", bytes: 4 },
  2: { name: "uint8", bytes: 1 },
  3: { name: "int8", bytes: 1 },
  4: { name: "uint16", bytes: 2 },
  5: { name: "int16", bytes: 2 },
  6: { name: "int32", bytes: 4 },
  7: { name: "int64", bytes: 8 },
  8: { name: "string", bytes: 0 },
  9: { name: "bool", bytes: 1 },
  10: { name: "float16", bytes: 2 },
  11: { name: "float64", bytes: 8 },
  12: { name: "uint32", bytes: 4 },
  13: { name: "uint64", bytes: 8 },
  16: { name: "bfloat16", bytes: 2 },
};

/** A decoded `TensorProto` (an initializer or a Constant's value). */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  /** `TensorProto.DataType` (1 = float32, 7 = int64, …). */
  readonly dataType: number;
  /** `raw_data` as a view into the file's bytes, when present. */
  readonly rawData?: Uint8Array;
  readonly floatData: readonly number[];
  readonly int32Data: readonly number[];
  readonly int64Data: readonly number[];
  readonly doubleData: readonly number[];
  /** True when the data lives in an external file (`data_location = EXTERNAL`). */
  readonly external: boolean;
  /** The encoded `TensorProto` as found in the file (a view), when decoded from bytes. */
  readonly encoded?: Uint8Array;
}

/** A decoded `AttributeProto` (only the value fields the importer reads). */
export interface OnnxAttribute {
  readonly name: string;
  /** `AttributeProto.AttributeType` (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, …). */
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly t?: OnnxTensor;
  /** True when the attribute holds a sub-graph (`g` or `graphs`): control flow. */
  readonly hasGraph: boolean;
  readonly floats: readonly number[];
  readonly ints: readonly number[];
  readonly strings: readonly string[];
}

/** A decoded `NodeProto`. */
export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly OnnxAttribute[];
  /** The encoded `NodeProto` as found in the file (a view). */
  readonly encoded?: Uint8Array;
}

/** One dimension of a declared shape: a number, a symbol (`"N"`), or unknown (`undefined`). */
export type OnnxDim = number | string | undefined;

/** A decoded `ValueInfoProto` for a tensor. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** Declared shape; `undefined` when the value info has no shape (unknown rank). */
  readonly shape?: readonly OnnxDim[];
}

/** A decoded `GraphProto`. */
export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly valueInfo: readonly OnnxValueInfo[];
}

/** A decoded `ModelProto`. */
export interface OnnxModel {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** Opset per domain (`""` = the default ONNX domain). */
  readonly opsets: ReadonlyMap<string, number>;
  /** The encoded `OperatorSetIdProto` entries (views), to write sub-models. */
  readonly encodedOpsets: readonly Uint8Array[];
  readonly graph: OnnxGraph;
}

/**
 * Decode an ONNX `ModelProto` from its bytes.
 *
 * Cost: O(file size) for the scan; weight blobs are not copied.
 *
 * @param bytes the `.onnx` file's contents
 * @param source file name for error messages (default `"<onnx>"`)
 * @throws {InvalidModelError} on truncated or malformed bytes (naming the
 *   byte offset and the message being read), or a model without a graph
 */
export function decodeOnnxModel(bytes: Uint8Array, source = "<onnx>"): OnnxModel {
  const r = new WireReader(bytes, 0, bytes.length, source, "ModelProto");
  let irVersion = 0;
  let producerName = "";
  let producerVersion = "";
  const opsets = new Map<string, number>();
  const encodedOpsets: Uint8Array[] = [];
  let graph: OnnxGraph | undefined;
  while (!r.done()) {
    const h = r.header();
    switch (h.field) {
      case 1:
        r.expect(h, WireType.varint, "ir_version");
        irVersion = r.int64();
        break;
      case 2:
        r.expect(h, WireType.lengthDelimited, "producer_name");
        producerName = r.string();
        break;
      case 3:
        r.expect(h, WireType.lengthDelimited, "producer_version");
        producerVersion = r.string();
        break;
      case 7:
        r.expect(h, WireType.lengthDelimited, "graph");
        graph = decodeGraph(r.message("ModelProto.graph"));
        break;
      case 8: {
        r.expect(h, WireType.lengthDelimited, "opset_import");
        const sub = r.message("ModelProto.opset_import");
        encodedOpsets.push(sub.messageBytes());
        let domain = "";
        let version = 0;
        while (!sub.done()) {
          const sh = sub.header();
          if (sh.field === 1 && sh.wireType === WireType.lengthDelimited) domain = sub.string();
          else if (sh.field === 2 && sh.wireType === WireType.varint) version = sub.int64();
          else sub.skip(sh.wireType);
        }
        opsets.set(domain === "ai.onnx" ? "" : domain, version);
        break;
      }
      default:
        r.skip(h.wireType);
    }
  }
  if (graph === undefined) {
    throw new InvalidModelError(`${source}: ModelProto has no graph (field 7); is this an ONNX model file?`);
  }
  return { irVersion, producerName, producerVersion, opsets, encodedOpsets, graph };
}

function decodeGraph(r: WireReader): OnnxGraph {
  let name = "";
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfo[] = [];
  const outputs: OnnxValueInfo[] = [];
  const valueInfo: OnnxValueInfo[] = [];
  while (!r.done()) {
    const h = r.header();
    switch (h.field) {
      case 1:
        r.expect(h, WireType.lengthDelimited, "node");
        nodes.push(decodeNode(r.message(`GraphProto.node[${nodes.length}]`)));
        break;
      case 2:
        r.expect(h, WireType.lengthDelimited, "name");
        name = r.string();
        break;
      case 5:
        r.expect(h, WireType.lengthDelimited, "initializer");
        initializers.push(decodeTensor(r.message(`GraphProto.initializer[${initializers.length}]`)));
        break;
      case 11:
        r.expect(h, WireType.lengthDelimited, "input");
        inputs.push(decodeValueInfo(r.message(`GraphProto.input[${inputs.length}]`)));
        break;
      case 12:
        r.expect(h, WireType.lengthDelimited, "output");
        outputs.push(decodeValueInfo(r.message(`GraphProto.output[${outputs.length}]`)));
        break;
      case 13:
        r.expect(h, WireType.lengthDelimited, "value_info");
        valueInfo.push(decodeValueInfo(r.message(`GraphProto.value_info[${valueInfo.length}]`)));
        break;
      default:
        r.skip(h.wireType);
    }
  }
  return { name, nodes, initializers, inputs, outputs, valueInfo };
}

function decodeNode(r: WireReader): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: OnnxAttribute[] = [];
  let name = "";
  let opType = "";
  let domain = "";
  while (!r.done()) {
    const h = r.header();
    switch (h.field) {
      case 1:
        r.expect(h, WireType.lengthDelimited, "input");
        inputs.push(r.string());
        break;
      case 2:
        r.expect(h, WireType.lengthDelimited, "output");
        outputs.push(r.string());
        break;
      case 3:
        r.expect(h, WireType.lengthDelimited, "name");
        name = r.string();
        break;
      case 4:
        r.expect(h, WireType.lengthDelimited, "op_type");
        opType = r.string();
        break;
      case 5:
        r.expect(h, WireType.lengthDelimited, "attribute");
        attributes.push(decodeAttribute(r.message(`${r.context}.attribute[${attributes.length}]`)));
        break;
      case 7:
        r.expect(h, WireType.lengthDelimited, "domain");
        domain = r.string();
        break;
      default:
        r.skip(h.wireType);
    }
  }
  return { name, opType, domain: domain === "ai.onnx" ? "" : domain, inputs, outputs, attributes, encoded: r.messageBytes() };
}

function decodeAttribute(r: WireReader): OnnxAttribute {
  let name = "";
  let type = 0;
  let f: number | undefined;
  let i: number | undefined;
  let s: string | undefined;
  let t: OnnxTensor | undefined;
  let hasGraph = false;
  const floats: number[] = [];
  const ints: number[] = [];
  const strings: string[] = [];
  while (!r.done()) {
    const h = r.header();
    switch (h.field) {
      case 1:
        r.expect(h, WireType.lengthDelimited, "name");
        name = r.string();
        break;
      case 2:
        r.expect(h, WireType.fixed32, "f");
        f = r.float32();
        break;
      case 3:
        r.expect(h, WireType.varint, "i");
        i = r.int64();
        break;
      case 4:
        r.expect(h, WireType.lengthDelimited, "s");
        s = r.string();
        break;
      case 5:
        r.expect(h, WireType.lengthDelimited, "t");
        t = decodeTensor(r.message(`${r.context}.t`));
        break;
      case 6:
      case 11:
        hasGraph = true;
        r.skip(h.wireType);
        break;
      case 7:
        r.repeatedFloat32(h.wireType, floats);
        break;
      case 8:
        r.repeatedInt64(h.wireType, ints);
        break;
      case 9:
        r.expect(h, WireType.lengthDelimited, "strings");
        strings.push(r.string());
        break;
      case 20:
        r.expect(h, WireType.varint, "type");
        type = r.int32();
        break;
      default:
        r.skip(h.wireType);
    }
  }
  return { name, type, f, i, s, t, hasGraph, floats, ints, strings };
}

/** Decode a `TensorProto` (exported for tests). */
export function decodeTensor(r: WireReader): OnnxTensor {
  let name = "";
  const dims: number[] = [];
  let dataType = 0;
  let rawData: Uint8Array | undefined;
  const floatData: number[] = [];
  const int32Data: number[] = [];
  const int64Data: number[] = [];
  const doubleData: number[] = [];
  let external = false;
  while (!r.done()) {
    const h = r.header();
    switch (h.field) {
      case 1:
        r.repeatedInt64(h.wireType, dims);
        break;
      case 2:
        r.expect(h, WireType.varint, "data_type");
        dataType = r.int32();
        break;
      case 4:
        r.repeatedFloat32(h.wireType, floatData);
        break;
      case 5:
        r.repeatedInt64(h.wireType, int32Data);
        break;
      case 7:
      case 11:
        r.repeatedInt64(h.wireType, int64Data);
        break;
      case 8:
        r.expect(h, WireType.lengthDelimited, "name");
        name = r.string();
        break;
      case 9:
        r.expect(h, WireType.lengthDelimited, "raw_data");
        rawData = r.bytesView();
        break;
      case 10:
        r.repeatedFloat64(h.wireType, doubleData);
        break;
      case 14:
        r.expect(h, WireType.varint, "data_location");
        external = r.int32() === 1;
        break;
      default:
        r.skip(h.wireType);
    }
  }
  return { name, dims, dataType, rawData, floatData, int32Data, int64Data, doubleData, external, encoded: r.messageBytes() };
}

function decodeValueInfo(r: WireReader): OnnxValueInfo {
  let name = "";
  let elemType = 0;
  let shape: OnnxDim[] | undefined;
  while (!r.done()) {
    const h = r.header();
    if (h.field === 1 && h.wireType === WireType.lengthDelimited) name = r.string();
    else if (h.field === 2 && h.wireType === WireType.lengthDelimited) {
      const type = r.message(`${r.context}.type`);
      while (!type.done()) {
        const th = type.header();
        if (th.field === 1 && th.wireType === WireType.lengthDelimited) {
          const tensor = type.message(`${r.context}.type.tensor_type`);
          while (!tensor.done()) {
            const eh = tensor.header();
            if (eh.field === 1 && eh.wireType === WireType.varint) elemType = tensor.int32();
            else if (eh.field === 2 && eh.wireType === WireType.lengthDelimited) {
              shape = [];
              const shapeReader = tensor.message(`${r.context}.type.tensor_type.shape`);
              while (!shapeReader.done()) {
                const dh = shapeReader.header();
                if (dh.field === 1 && dh.wireType === WireType.lengthDelimited) {
                  const dim = shapeReader.message(`${r.context}.type.tensor_type.shape.dim`);
                  let value: OnnxDim;
                  while (!dim.done()) {
                    const vh = dim.header();
                    if (vh.field === 1 && vh.wireType === WireType.varint) value = dim.int64();
                    else if (vh.field === 2 && vh.wireType === WireType.lengthDelimited) value = dim.string();
                    else dim.skip(vh.wireType);
                  }
                  shape.push(value);
                } else shapeReader.skip(dh.wireType);
              }
            } else tensor.skip(eh.wireType);
          }
        } else type.skip(th.wireType);
      }
    } else r.skip(h.wireType);
  }
  return { name, elemType, shape };
}

/** Number of elements of a tensor (product of dims; 1 for a scalar). */
export function tensorElements(tensor: OnnxTensor): number {
  let n = 1;
  for (const d of tensor.dims) n *= d;
  return n;
}

/**
 * The values of a small numeric tensor as JS numbers (for shape
 * computations: Reshape targets, Resize scales, Slice bounds, …).
 * Returns `undefined` for external data, strings, float16/bfloat16 or
 * tensors larger than `limit` elements (default 4096).
 */
export function tensorValues(tensor: OnnxTensor, limit = 4096): number[] | undefined {
  const n = tensorElements(tensor);
  if (n > limit || tensor.external) return undefined;
  if (tensor.rawData !== undefined) {
    const raw = tensor.rawData;
    const size = ONNX_DATA_TYPES[tensor.dataType]?.bytes ?? 0;
    if (size === 0 || raw.length < n * size) return undefined;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    for (let k = 0; k < n; k++) {
      const at = k * size;
      switch (tensor.dataType) {
        case 1: out.push(view.getFloat32(at, true)); break;
        case 2: case 9: out.push(view.getUint8(at)); break;
        case 3: out.push(view.getInt8(at)); break;
        case 4: out.push(view.getUint16(at, true)); break;
        case 5: out.push(view.getInt16(at, true)); break;
        case 6: out.push(view.getInt32(at, true)); break;
        case 7: out.push(Number(view.getBigInt64(at, true))); break;
        case 11: out.push(view.getFloat64(at, true)); break;
        case 12: out.push(view.getUint32(at, true)); break;
        case 13: out.push(Number(view.getBigUint64(at, true))); break;
        default: return undefined;
      }
    }
    return out;
  }
  const typed =
    tensor.floatData.length > 0 ? tensor.floatData
    : tensor.int64Data.length > 0 ? tensor.int64Data
    : tensor.int32Data.length > 0 ? tensor.int32Data
    : tensor.doubleData;
  if (typed.length !== n) return n === 0 ? [] : undefined;
  return [...typed];
}
