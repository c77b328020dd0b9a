/**
 * A one-pass reader for valid Caffe prototxts: from text straight to the
 * {@link CaffeNetSpec} that `normalizeCaffeNet(parseTextFormat(text))`
 * builds, without tokens, position records or the generic intermediate
 * message (several times less allocation; the 10^5-layer prototxt of
 * bench/cli.ts reads in a fraction of the time).
 *
 * It accepts only what the two-stage reader accepts and gives the same
 * result; anything it does not handle — every error, and rare syntax such as
 * escapes in strings — makes it give up (`undefined`), and the caller runs
 * the two-stage reader, whose errors carry the line and column. A property
 * test checks both readers agree (prototxt-fast.test.ts).
 *
 * @module
 */
import { V1_LAYER_TYPES } from "./prototxt.js";
import type { CaffeLayerSpec, CaffeMessage, CaffeNetSpec, CaffeValue } from "./spec.js";

/** Thrown inside the reader to give up; never escapes {@link parsePrototxtFast}. */
const GIVE_UP = Symbol("give up");

const MAX_DEPTH = 512;

/** Repeated fields and sub-message types per caffe.proto message (the same table as the two-stage reader's). */
const LAYER_MESSAGES: Readonly<Record<string, string>> = {
  include: "NetStateRule",
  exclude: "NetStateRule",
  convolution_param: "ConvolutionParameter",
  input_param: "InputParameter",
  reshape_param: "ReshapeParameter",
  eltwise_param: "EltwiseParameter",
};
const SCHEMA: Readonly<Record<string, { repeated: ReadonlySet<string>; messages: Readonly<Record<string, string>> }>> = {
  NetParameter: {
    repeated: new Set(["input", "input_shape", "input_dim", "layer", "layers"]),
    messages: { layer: "LayerParameter", layers: "V1LayerParameter", input_shape: "BlobShape", state: "NetState" },
  },
  LayerParameter: { repeated: new Set(["bottom", "top", "loss_weight", "param", "blobs", "propagate_down", "include", "exclude"]), messages: LAYER_MESSAGES },
  V1LayerParameter: {
    repeated: new Set(["bottom", "top", "blobs", "blob_share_mode", "blobs_lr", "weight_decay", "loss_weight", "param", "include", "exclude"]),
    messages: LAYER_MESSAGES,
  },
  NetState: { repeated: new Set(["stage"]), messages: {} },
  NetStateRule: { repeated: new Set(["stage", "not_stage"]), messages: {} },
  BlobShape: { repeated: new Set(["dim"]), messages: {} },
  ConvolutionParameter: { repeated: new Set(["pad", "kernel_size", "stride", "dilation"]), messages: {} },
  InputParameter: { repeated: new Set(["shape"]), messages: { shape: "BlobShape" } },
  ReshapeParameter: { repeated: new Set(), messages: { shape: "BlobShape" } },
  EltwiseParameter: { repeated: new Set(["coeff"]), messages: {} },
};

type Schema = (typeof SCHEMA)[string];

/** Add one value of field `name` to `out` (repeated fields, and fields given several times, become arrays); returns `several`. */
function add(out: Record<string, CaffeValue>, name: string, value: CaffeValue, repeated: boolean, several: Set<string> | undefined): Set<string> | undefined {
  if (!Object.hasOwn(out, name)) out[name] = repeated ? [value] : value;
  else if (repeated || several?.has(name) === true) (out[name] as CaffeValue[]).push(value);
  else {
    out[name] = [out[name]!, value];
    (several ??= new Set()).add(name);
  }
  return several;
}

/** What kind of value a scalar was, for the checks the two-stage reader makes. */
const enum Kind {
  Number,
  String,
  Bool,
  Enum,
}

/** Field checks that apply inside a message: 1 = a `layer`, 2 = a V1 `layers` entry. */
const enum Layer {
  None = 0,
  New = 1,
  V1 = 2,
}

function identStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function identPart(c: number): boolean {
  return identStart(c) || (c >= 48 && c <= 57);
}
function digit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Slots of the reader's string caches (powers of two). */
const KEY_SLOTS = 1024;
const VALUE_SLOTS = 8192;

/** Final mixing of the running hash of a string's character codes. */
function mix(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/** The running hash the reader computes while scanning (`h = 31·h + c`), mixed. */
function hashOf(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return mix(h);
}

/** Field names and enum values the caches start with (string literals: already internalized). */
const COMMON_KEYS = [
  ...new Set([
    ...Object.values(SCHEMA).flatMap((m) => [...m.repeated, ...Object.keys(m.messages)]),
    ...["name", "type", "phase", "shape", "dim", "num_output", "kernel_size", "kernel_h", "kernel_w", "stride", "pad", "group", "bias_term"],
    ...["pooling_param", "pool", "MAX", "AVE", "global_pooling", "lrn_param", "local_size", "alpha", "beta", "inner_product_param", "dropout_param"],
    ...["dropout_ratio", "concat_param", "axis", "batch_norm_param", "scale_param", "weight_filler", "bias_filler", "value", "std", "lr_mult", "decay_mult"],
    ...["operation", "SUM", "PROD", "TEST", "TRAIN", "true", "false", "relu_param", "negative_slope", "eps", "use_global_stats", "softmax_param"],
  ]),
];

/** A direct-mapped cache of strings by hash: a repeated string is one object (and needs no substring). */
function seededCache(slots: number, seed: readonly string[]): (string | undefined)[] {
  const cache: (string | undefined)[] = new Array<string | undefined>(slots).fill(undefined);
  for (const s of seed) cache[hashOf(s) & (slots - 1)] = s;
  return cache;
}

class Reader {
  pos = 0;
  /** Kind of the last scalar read. */
  kind = Kind.Number;
  /** Field names and enum identifiers. */
  private readonly keys = seededCache(KEY_SLOTS, COMMON_KEYS);
  /** Quoted strings (types, blob names: a blob is named by its producer's top and by its readers' bottoms). */
  private readonly values = seededCache(VALUE_SLOTS, ["Convolution", "ReLU", "Pooling", "Concat", "InnerProduct", "Input", "Split", "Dropout", "Softmax", "LRN", "BatchNorm", "Scale", "Eltwise", "data"]);
  constructor(private readonly text: string) {}

  /** `text.slice(start, end)`, or the equal string in `cache` (slot from the running hash `h`). */
  private cached(cache: (string | undefined)[], start: number, end: number, h: number): string {
    const slot = mix(h) & (cache.length - 1);
    const known = cache[slot];
    const length = end - start;
    if (known !== undefined && known.length === length && this.text.startsWith(known, start)) return known;
    const s = this.text.slice(start, end);
    cache[slot] = s;
    return s;
  }

  /** Skip whitespace and comments; return the next character code (-1 at the end). */
  skip(): number {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 10 || c === 9 || c === 13 || c === 11 || c === 12) pos++;
      else if (c === 35) {
        const nl = text.indexOf("\n", pos);
        pos = nl < 0 ? text.length : nl;
      } else {
        this.pos = pos;
        return pos < text.length ? c : -1;
      }
    }
  }

  ident(): string {
    const text = this.text;
    const start = this.pos;
    let c = text.charCodeAt(start);
    if (!identStart(c)) throw GIVE_UP;
    let h = c;
    let end = start + 1;
    while (identPart((c = text.charCodeAt(end)))) {
      h = (Math.imul(h, 31) + c) | 0;
      end++;
    }
    this.pos = end;
    return this.cached(this.keys, start, end, h);
  }

  number(): number {
    const text = this.text;
    const start = this.pos;
    let end = start;
    const c0 = text.charCodeAt(start);
    if (c0 === 48 && (text.charCodeAt(start + 1) | 32) === 120) throw GIVE_UP; // hex: rare, two-stage reader
    // a plain integer of up to 9 digits is summed up here (no substring)
    let integer = 0;
    for (let c = c0; digit(c); c = text.charCodeAt(++end)) integer = integer * 10 + (c - 48);
    let plain = end - start <= 9;
    if (text.charCodeAt(end) === 46) {
      plain = false;
      end++;
      while (digit(text.charCodeAt(end))) end++;
    }
    if ((text.charCodeAt(end) | 32) === 101) {
      plain = false;
      let e = end + 1;
      const s = text.charCodeAt(e);
      if (s === 43 || s === 45) e++;
      if (!digit(text.charCodeAt(e))) throw GIVE_UP;
      while (digit(text.charCodeAt(e))) e++;
      end = e;
    }
    if (end === start) throw GIVE_UP;
    const value = plain ? integer : Number(text.slice(start, end));
    if ((text.charCodeAt(end) | 32) === 102) end++;
    const after = text.charCodeAt(end);
    if (identPart(after) || after === 46) throw GIVE_UP;
    this.pos = end;
    return value;
  }

  string(): string {
    const text = this.text;
    const quote = text.charCodeAt(this.pos);
    const start = this.pos + 1;
    let i = start;
    let h = 0;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === quote) break;
      if (c === 92 || c === 10 || Number.isNaN(c)) throw GIVE_UP; // escapes, newlines, end of text
      h = (Math.imul(h, 31) + c) | 0;
      i++;
    }
    this.pos = i + 1;
    return this.cached(this.values, start, i, h);
  }

  /** A scalar value (sets {@link kind}). */
  scalar(): string | number | boolean {
    const c = this.skip();
    if (c === 34 || c === 39) {
      let out = this.string();
      for (let n = this.skip(); n === 34 || n === 39; n = this.skip()) out += this.string();
      this.kind = Kind.String;
      return out;
    }
    if (digit(c) || (c === 46 && digit(this.text.charCodeAt(this.pos + 1)))) {
      this.kind = Kind.Number;
      return this.number();
    }
    if (c === 45) {
      this.pos++;
      const n = this.skip();
      this.kind = Kind.Number;
      if (digit(n) || (n === 46 && digit(this.text.charCodeAt(this.pos + 1)))) return -this.number();
      const word = this.ident().toLowerCase();
      if (word === "inf" || word === "infinity") return -Infinity;
      if (word === "nan") return Number.NaN;
      throw GIVE_UP;
    }
    const word = this.ident();
    const after = this.skip();
    if (after === 58 || after === 123) throw GIVE_UP; // the value is missing: the next field's name
    if (word === "true" || word === "True" || word === "false" || word === "False") {
      this.kind = Kind.Bool;
      return word === "true" || word === "True";
    }
    const lower = word.toLowerCase();
    this.kind = Kind.Number;
    if (lower === "inf" || lower === "infinity") return Infinity;
    if (lower === "nan") return Number.NaN;
    this.kind = Kind.Enum;
    return word;
  }

  /**
   * The fields of a message until `close` (a char code; -1 = end of text),
   * as caffe objects of message type `type`.
   */
  message(type: string | undefined, close: number, depth: number, layer: Layer, dims: boolean, top: Top | undefined): CaffeMessage {
    if (depth > MAX_DEPTH) throw GIVE_UP;
    const schema = type === undefined ? undefined : SCHEMA[type];
    const out: Record<string, CaffeValue> = {};
    /** Fields not declared repeated that were given more than once (now arrays). */
    let several: Set<string> | undefined;
    for (;;) {
      const c = this.skip();
      if (c === close) {
        if (c !== -1) this.pos++;
        return out;
      }
      if (c === -1 || c === 125 || c === 62) throw GIVE_UP;
      const name = this.ident();
      if (name === "__proto__") throw GIVE_UP;
      const repeated = schema !== undefined && schema.repeated.has(name);
      let c2 = this.skip();
      if (c2 === 58) {
        this.pos++;
        c2 = this.skip();
        if (c2 === 91) {
          this.pos++;
          let first = true;
          for (;;) {
            const t = this.skip();
            if (t === 93) {
              this.pos++;
              break;
            }
            if (!first) {
              if (t !== 44) throw GIVE_UP;
              this.pos++;
            }
            first = false;
            several = add(out, name, this.value(name, schema, depth, layer, dims, top), repeated, several);
          }
        } else several = add(out, name, this.value(name, schema, depth, layer, dims, top), repeated, several);
      } else if (c2 === 123 || c2 === 60) {
        several = add(out, name, this.value(name, schema, depth, layer, dims, top), repeated, several);
      } else throw GIVE_UP;
      if (top !== undefined && (name === "layer" || name === "layers")) top[name === "layer" ? "hasNew" : "hasOld"] = true;
      const sep = this.skip();
      if (sep === 44 || sep === 59) this.pos++;
    }
  }

  /** One value of field `name` of a message of `schema` (a sub-message or a checked scalar). */
  private value(name: string, schema: Schema | undefined, depth: number, layer: Layer, dims: boolean, top: Top | undefined): CaffeValue {
    const childLayer = top !== undefined && (name === "layer" || name === "layers") ? (name === "layer" ? Layer.New : Layer.V1) : Layer.None;
    const v = this.skip();
    if (v === 123 || v === 60) {
      // top-level input / input_dim must be scalars
      if (top !== undefined && (name === "input" || name === "input_dim")) throw GIVE_UP;
      // inside a layer, name/type/bottom/top must be scalars; inside dims, dim must be
      if ((layer !== Layer.None && (name === "name" || name === "type" || name === "bottom" || name === "top")) || (dims && name === "dim")) throw GIVE_UP;
      this.pos++;
      const childDims = dims || childLayer !== Layer.None || (top !== undefined && name === "input_shape");
      return this.message(schema?.messages[name], v === 123 ? 125 : 62, depth + 1, childLayer, childDims, undefined);
    }
    // a scalar where the checks want a message
    if (childLayer !== Layer.None || (top !== undefined && name === "input_shape")) throw GIVE_UP;
    const s = this.scalar();
    this.check(name, s, layer, dims, top);
    return s;
  }

  /** The checks `normalizeCaffeNet` makes on scalars; a failure gives up (the two-stage reader reports it). */
  private check(name: string, value: string | number | boolean, layer: Layer, dims: boolean, top: Top | undefined): void {
    const kind = this.kind;
    if (dims && name === "dim" && !(kind === Kind.Number && Number.isInteger(value))) throw GIVE_UP;
    if (layer !== Layer.None) {
      if (name === "name" && kind !== Kind.String) throw GIVE_UP;
      if (name === "type" && !(kind === Kind.String || (layer === Layer.V1 && kind === Kind.Enum))) throw GIVE_UP;
      if ((name === "bottom" || name === "top") && kind !== Kind.String) throw GIVE_UP;
    }
    if (top !== undefined) {
      if (name === "input" && kind !== Kind.String) throw GIVE_UP;
      if (name === "input_dim" && !(kind === Kind.Number && Number.isInteger(value))) throw GIVE_UP;
    }
  }
}

interface Top {
  hasNew: boolean;
  hasOld: boolean;
}

/**
 * Read a valid Caffe prototxt in one pass; `undefined` when the text needs
 * the two-stage reader (an error to report, or syntax this reader leaves to
 * it).
 */
export function parsePrototxtFast(text: string): CaffeNetSpec | undefined {
  try {
    const top: Top = { hasNew: false, hasOld: false };
    const net = new Reader(text).message("NetParameter", -1, 0, Layer.None, false, top) as Record<string, unknown>;
    if (top.hasNew && top.hasOld) return undefined;
    const rawLayers = (net["layer"] ?? net["layers"] ?? []) as Record<string, unknown>[];
    const layer = rawLayers.map((raw) => {
      const type = raw["type"];
      const mapped = top.hasOld && typeof type === "string" ? (V1_LAYER_TYPES[type] ?? type) : type;
      raw["name"] = (raw["name"] as string | undefined) ?? "";
      raw["type"] = (mapped as string | undefined) ?? "";
      return raw as unknown as CaffeLayerSpec;
    });
    const spec: { -readonly [K in keyof CaffeNetSpec]: CaffeNetSpec[K] } = { layer };
    if (typeof net["name"] === "string") spec.name = net["name"];
    if (net["input"] !== undefined) spec.input = net["input"] as string[];
    if (net["input_dim"] !== undefined) spec.input_dim = net["input_dim"] as number[];
    if (net["input_shape"] !== undefined) spec.input_shape = net["input_shape"] as CaffeNetSpec["input_shape"];
    if (net["state"] !== undefined) spec.state = net["state"] as CaffeMessage;
    return spec;
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}
