/**
 * Test helpers: a minimal onnx.proto (the fields the tests need, numbered as
 * in onnx/onnx.proto) loaded with protobufjs's reflection, to decode real
 * files independently of the library and to write small synthetic models.
 * Not part of the library (protobufjs is a devDependency).
 *
 * @module
 * @internal
 */
import protobuf from "protobufjs";

const ONNX_SUBSET_PROTO = `
syntax = "proto2";
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
}
message GraphProto;
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  optional int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

// protobufjs cannot forward-declare; GraphProto is referenced by AttributeProto.g before its
// definition, which the parser resolves by name, so the forward line is removed.
const root = protobuf.parse(ONNX_SUBSET_PROTO.replace("message GraphProto;\n", ""), { keepCase: true }).root;

/** protobufjs type for ModelProto (keepCase: snake_case field names). */
const ModelProtoType = root.lookupType("ModelProto");

/** Plain ModelProto as protobufjs decodes it (longs as numbers). */
export interface PlainTensor {
  dims?: number[];
  data_type?: number;
  name?: string;
  float_data?: number[];
  int64_data?: number[];
  raw_data?: Uint8Array;
}
export interface PlainAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: PlainTensor;
  g?: PlainGraph;
  floats?: number[];
  ints?: number[];
}
export interface PlainNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type: string;
  attribute?: PlainAttribute[];
  domain?: string;
}
export interface PlainValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
}
export interface PlainGraph {
  node?: PlainNode[];
  name?: string;
  initializer?: PlainTensor[];
  input?: PlainValueInfo[];
  output?: PlainValueInfo[];
  value_info?: PlainValueInfo[];
}
export interface PlainModel {
  ir_version?: number;
  producer_name?: string;
  graph?: PlainGraph;
  opset_import?: { domain?: string; version?: number }[];
}

/** Decode a .onnx file with protobufjs (independent of the library's decoder). */
export function decodeWithProtobufjs(bytes: Uint8Array): PlainModel {
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, arrays: true, defaults: false }) as PlainModel;
}

/** Encode a plain ModelProto with protobufjs. */
export function encodeModel(model: PlainModel): Uint8Array {
  const message = ModelProtoType.fromObject(model);
  return ModelProtoType.encode(message).finish();
}

/** A float tensor value info with a shape (numbers, or strings for symbolic dims). */
export function valueInfo(name: string, dims: (number | string)[] | undefined, elemType = 1): PlainValueInfo {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        ...(dims === undefined ? {} : { shape: { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) } }),
      },
    },
  };
}

/** A float32 tensor with zero data of the given dims (data as raw bytes). */
export function floatTensor(name: string, dims: number[]): PlainTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  return { name, dims, data_type: 1, raw_data: new Uint8Array(n * 4) };
}

/** An int64 tensor holding `values` (as `int64_data`). */
export function int64Tensor(name: string, dims: number[], values: number[]): PlainTensor {
  return { name, dims, data_type: 7, int64_data: values };
}

/** A node. */
export function node(op: string, inputs: string[], outputs: string[], name?: string, attribute: PlainAttribute[] = []): PlainNode {
  return { op_type: op, input: inputs, output: outputs, name: name ?? outputs[0], attribute };
}

/** An INTS attribute. */
export const ints = (name: string, values: number[]): PlainAttribute => ({ name, type: 7, ints: values });
/** An INT attribute. */
export const int = (name: string, value: number): PlainAttribute => ({ name, type: 2, i: value });
/** A STRING attribute. */
export const str = (name: string, value: string): PlainAttribute => ({ name, type: 3, s: new TextEncoder().encode(value) });
/** A TENSOR attribute (`value` of a Constant node). */
export const tensorAttr = (t: PlainTensor): PlainAttribute => ({ name: "value", type: 4, t });

