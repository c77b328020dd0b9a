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

class Reader {
  pos = 0;
  /** Kind of the last scalar read. */
  kind = Kind.Number;
  constructor(private readonly text: string) {}

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
    if (!identStart(text.charCodeAt(start))) throw GIVE_UP;
    let end = start + 1;
    while (identPart(text.charCodeAt(end))) end++;
    this.pos = end;
    return text.slice(start, end);
  }

  number(): number {
    const text = this.text;
    const start = this.pos;
    let end = start;
    const c0 = text.charCodeAt(start);
    if (c0 === 48 && (text.charCodeAt(start + 1) | 32) === 120) throw GIVE_UP; // hex: rare, two-stage reader
    while (digit(text.charCodeAt(end))) end++;
    if (text.charCodeAt(end) === 46) {
      end++;
      while (digit(text.charCodeAt(end))) end++;
    }
    if ((text.charCodeAt(end) | 32) === 101) {
      let e = end + 1;
      const s = text.charCodeAt(e);
      if (s === 43 || s === 45) e++;
      if (!digit(text.charCodeAt(e))) throw GIVE_UP;
      while (digit(text.charCodeAt(e))) e++;
      end = e;
    }
    if (end === start) throw GIVE_UP;
    const value = Number(text.slice(start, end));
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
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === quote) break;
      if (c === 92 || c === 10 || Number.isNaN(c)) throw GIVE_UP; // escapes, newlines, end of text
      i++;
    }
    this.pos = i + 1;
    return text.slice(start, i);
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
    let several: Set<string> | undefined;
    const add = (name: string, value: CaffeValue) => {
      if (!Object.hasOwn(out, name)) out[name] = schema?.repeated.has(name) === true ? [value] : value;
      else if (schema?.repeated.has(name) === true || several?.has(name) === true) (out[name] as CaffeValue[]).push(value);
      else {
        out[name] = [out[name]!, value];
        (several ??= new Set()).add(name);
      }
    };
    for (;;) {
      const c = this.skip();
      if (c === close) {
        if (c !== -1) this.pos++;
        return out;
      }
      if (c === -1 || c === 125 || c === 62) throw GIVE_UP;
      const name = this.ident();
      if (name === "__proto__") throw GIVE_UP;
      const sub = schema?.messages[name];
      const childLayer = top !== undefined && (name === "layer" || name === "layers") ? (name === "layer" ? Layer.New : Layer.V1) : Layer.None;
      const childDims = dims || childLayer !== Layer.None || (top !== undefined && name === "input_shape");
      const value = (): CaffeValue => {
        const v = this.skip();
        if (v === 123 || v === 60) {
          // top-level input / input_dim must be scalars
          if (top !== undefined && (name === "input" || name === "input_dim")) throw GIVE_UP;
          // inside a layer, name/type/bottom/top must be scalars; inside dims, dim must be
          if ((layer !== Layer.None && (name === "name" || name === "type" || name === "bottom" || name === "top")) || (dims && name === "dim")) throw GIVE_UP;
          this.pos++;
          return this.message(sub, v === 123 ? 125 : 62, depth + 1, childLayer, childDims, undefined);
        }
        // a scalar where the checks want a message
        if (childLayer !== Layer.None || (top !== undefined && name === "input_shape")) throw GIVE_UP;
        const s = this.scalar();
        this.check(name, s, layer, dims, top);
        return s;
      };
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
            add(name, value());
          }
        } else add(name, value());
      } else if (c2 === 123 || c2 === 60) {
        add(name, value());
      } else throw GIVE_UP;
      if (top !== undefined && (name === "layer" || name === "layers")) top[name === "layer" ? "hasNew" : "hasOld"] = true;
      const sep = this.skip();
      if (sep === 44 || sep === 59) this.pos++;
    }
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
