/**
 * A small, dependency-free reader for the protobuf *text format* in which
 * Caffe nets are written (`*.prototxt`), and its normalisation into a
 * {@link CaffeNetSpec}.
 *
 * Two stages:
 * 1. {@link parseTextFormat} turns text into a generic, schema-less
 *    {@link TextFormatMessage} (every field occurrence in order, with its
 *    1-based line and column). Supported: `#` comments; `field: value`,
 *    `field { … }`, `field: { … }`, `field < … >`; list values
 *    `field: [1, 2, 3]`; optional `,` / `;` separators; double- or
 *    single-quoted strings with C escapes (`\n`, `\t`, `\\`, `\"`, `\xHH`,
 *    octal, `\uXXXX`) and adjacent-literal concatenation; numbers (integers,
 *    hex, floats, exponents, a trailing `f`, negatives, `inf`, `nan`);
 *    enum identifiers; `true` / `false`.
 * 2. {@link normalizeCaffeNet} maps that message onto caffe.proto: it knows
 *    which fields of the messages a net needs are `repeated` (so that a
 *    repeated field given once is still an array, e.g. `kernel_size: [3]`,
 *    and `reshape_param.shape` stays a single message while
 *    `input_param.shape` is a list), and upgrades old V1 `layers { type:
 *    CONVOLUTION }` entries to `layer` entries with the new type names.
 *
 * Both stages are linear in the input size. Used by the Caffe importer
 * (IONN §6, "we implemented IONN on Caffe": the paper's networks are Caffe
 * deploy files).
 *
 * @module
 */
import { InvalidModelError, ParseError } from "../../errors.js";
import { parsePrototxtFast } from "./prototxt-fast.js";
import type { CaffeBlobShape, CaffeLayerSpec, CaffeMessage, CaffeNetSpec, CaffeValue } from "./spec.js";

// ---------------------------------------------------------------------------
// Generic text-format message
// ---------------------------------------------------------------------------

/** An enum identifier value (`pool: MAX`), kept apart from quoted strings. */
export interface TextFormatEnum {
  readonly kind: "enum";
  /** The identifier as written. */
  readonly name: string;
}

/** A nested message value (`convolution_param { … }`). */
export interface TextFormatMessage {
  readonly kind: "message";
  /** Every field occurrence, in source order (a repeated field occurs several times). */
  readonly fields: readonly TextFormatField[];
}

/** A scalar or message value of the text format. */
export type TextFormatValue = string | number | boolean | TextFormatEnum | TextFormatMessage;

/** One `name: value` occurrence with its source position (1-based). */
export interface TextFormatField {
  readonly name: string;
  readonly value: TextFormatValue;
  /** 1-based line of the field name. */
  readonly line: number;
  /** 1-based column of the field name. */
  readonly column: number;
}

/** Maximum nesting depth of messages (guards the recursive parser's stack). */
const MAX_DEPTH = 512;

type TokenKind = "ident" | "number" | "string" | "punct" | "eof";

interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (decoded contents for strings). */
  readonly text: string;
  /** Numeric value for numbers. */
  readonly num: number;
  readonly line: number;
  readonly column: number;
}

const CH_NEWLINE = 10;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "end of input";
    case "string":
      return `string ${JSON.stringify(token.text)}`;
    case "number":
      return `number ${token.text}`;
    case "ident":
      return `'${token.text}'`;
    default:
      return `'${token.text}'`;
  }
}

/** Tokenizer over the whole text; keeps a two-token lookahead. */
class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private readonly buffer: Token[] = [];

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  /** Look at the token `ahead` positions away (0 = next) without consuming it. */
  peek(ahead = 0): Token {
    while (this.buffer.length <= ahead) this.buffer.push(this.scan());
    return this.buffer[ahead]!;
  }

  /** Consume and return the next token. */
  next(): Token {
    const token = this.peek();
    this.buffer.shift();
    return token;
  }

  error(message: string, line: number, column: number): never {
    throw new ParseError(message, line, column, this.source);
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === CH_NEWLINE) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
        this.pos++;
      } else if (c === 35 /* # */) {
        while (this.pos < text.length && text.charCodeAt(this.pos) !== CH_NEWLINE) this.pos++;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    this.skipSpaceAndComments();
    const text = this.text;
    const line = this.line;
    const column = this.pos - this.lineStart + 1;
    if (this.pos >= text.length) return { kind: "eof", text: "", num: 0, line, column };
    const start = this.pos;
    const c = text.charCodeAt(start);
    if (isIdentStart(c)) {
      let end = start + 1;
      while (end < text.length && isIdentPart(text.charCodeAt(end))) end++;
      this.pos = end;
      return { kind: "ident", text: text.slice(start, end), num: 0, line, column };
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(text.charCodeAt(start + 1)))) {
      return this.scanNumber(line, column);
    }
    if (c === 34 || c === 39) return this.scanString(c, line, column);
    const ch = text[start]!;
    if ("{}[]<>:,;-".includes(ch)) {
      this.pos++;
      return { kind: "punct", text: ch, num: 0, line, column };
    }
    const shown = c < 32 ? `\\x${c.toString(16).padStart(2, "0")}` : ch;
    return this.error(`unexpected character '${shown}'`, line, column);
  }

  private scanNumber(line: number, column: number): Token {
    const text = this.text;
    const start = this.pos;
    let end = start;
    let value: number;
    if (text[end] === "0" && (text[end + 1] === "x" || text[end + 1] === "X")) {
      end += 2;
      while (end < text.length && /[0-9a-fA-F]/.test(text[end]!)) end++;
      value = Number.parseInt(text.slice(start + 2, end), 16);
      if (end === start + 2) this.error(`malformed number '${text.slice(start, end)}'`, line, column);
    } else {
      while (isDigit(text.charCodeAt(end))) end++;
      if (text[end] === ".") {
        end++;
        while (isDigit(text.charCodeAt(end))) end++;
      }
      if (text[end] === "e" || text[end] === "E") {
        let e = end + 1;
        if (text[e] === "+" || text[e] === "-") e++;
        if (!isDigit(text.charCodeAt(e))) {
          let bad = e;
          while (bad < text.length && isIdentPart(text.charCodeAt(bad))) bad++;
          this.error(`malformed number '${text.slice(start, bad)}'`, line, column);
        }
        while (isDigit(text.charCodeAt(e))) e++;
        end = e;
      }
      value = Number(text.slice(start, end));
      if (text[end] === "f" || text[end] === "F") end++;
    }
    if (end < text.length && (isIdentPart(text.charCodeAt(end)) || text[end] === ".")) {
      let bad = end;
      while (bad < text.length && (isIdentPart(text.charCodeAt(bad)) || text[bad] === ".")) bad++;
      this.error(`malformed number '${text.slice(start, bad)}'`, line, column);
    }
    this.pos = end;
    return { kind: "number", text: text.slice(start, end), num: value, line, column };
  }

  private scanString(quote: number, line: number, column: number): Token {
    const text = this.text;
    let i = this.pos + 1;
    let out = "";
    let chunkStart = i;
    for (;;) {
      if (i >= text.length || text.charCodeAt(i) === CH_NEWLINE) {
        this.error("unterminated string (missing closing quote)", line, column);
      }
      const c = text.charCodeAt(i);
      if (c === quote) {
        out += text.slice(chunkStart, i);
        i++;
        break;
      }
      if (c !== 92 /* \ */) {
        i++;
        continue;
      }
      out += text.slice(chunkStart, i);
      const escLine = this.line;
      const escColumn = i - this.lineStart + 1;
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case "n": out += "\n"; break;
        case "t": out += "\t"; break;
        case "r": out += "\r"; break;
        case "a": out += "\x07"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "v": out += "\v"; break;
        case "\\": out += "\\"; break;
        case "'": out += "'"; break;
        case '"': out += '"'; break;
        case "?": out += "?"; break;
        case "x":
        case "X": {
          let j = i;
          while (j < i + 2 && j < text.length && /[0-9a-fA-F]/.test(text[j]!)) j++;
          if (j === i) this.error("invalid \\x escape in string", escLine, escColumn);
          out += String.fromCharCode(Number.parseInt(text.slice(i, j), 16));
          i = j;
          break;
        }
        case "u": {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.error("invalid \\u escape in string", escLine, escColumn);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
          break;
        }
        default: {
          if (e !== undefined && e >= "0" && e <= "7") {
            let j = i - 1;
            while (j < i + 2 && j < text.length && text[j]! >= "0" && text[j]! <= "7") j++;
            out += String.fromCharCode(Number.parseInt(text.slice(i - 1, j), 8));
            i = j;
            break;
          }
          if (e === undefined || e === "\n") {
            this.error("unterminated string (missing closing quote)", line, column);
          }
          this.error(`invalid escape '\\${e}' in string`, escLine, escColumn);
        }
      }
      chunkStart = i;
    }
    this.pos = i;
    return { kind: "string", text: out, num: 0, line, column };
  }
}

const SPECIAL_FLOATS: Readonly<Record<string, number>> = {
  inf: Infinity,
  infinity: Infinity,
  nan: Number.NaN,
};

/** Recursive-descent parser over the {@link Lexer}'s tokens. */
class TextFormatParser {
  private readonly lexer: Lexer;

  constructor(text: string, source: string) {
    this.lexer = new Lexer(text, source);
  }

  parseTop(): TextFormatMessage {
    const fields: TextFormatField[] = [];
    this.parseFields(fields, null, 0);
    return { kind: "message", fields };
  }

  /** Fields until the closing delimiter `close` (or end of input when null). */
  private parseFields(fields: TextFormatField[], open: { token: Token; close: string } | null, depth: number): void {
    const lexer: Lexer = this.lexer;
    for (;;) {
      const token = lexer.peek();
      if (token.kind === "eof") {
        if (open !== null) {
          lexer.error(
            `'${open.token.text}' is never closed: expected '${open.close}' before end of input`,
            open.token.line,
            open.token.column,
          );
        }
        return;
      }
      if (token.kind === "punct" && (token.text === "}" || token.text === ">")) {
        if (open === null) lexer.error(`unbalanced '${token.text}': no message is open here`, token.line, token.column);
        if (token.text !== open.close) {
          lexer.error(
            `expected '${open.close}' to close '${open.token.text}' opened at ${open.token.line}:${open.token.column}, got '${token.text}'`,
            token.line,
            token.column,
          );
        }
        lexer.next();
        return;
      }
      if (token.kind !== "ident") {
        lexer.error(`expected a field name, got ${describe(token)}`, token.line, token.column);
      }
      lexer.next();
      this.parseFieldBody(token, fields, depth);
      const sep = lexer.peek();
      if (sep.kind === "punct" && (sep.text === "," || sep.text === ";")) lexer.next();
    }
  }

  private parseFieldBody(nameToken: Token, fields: TextFormatField[], depth: number): void {
    const lexer: Lexer = this.lexer;
    const name = nameToken.text;
    const push = (value: TextFormatValue): void => {
      fields.push({ name, value, line: nameToken.line, column: nameToken.column });
    };
    let token = lexer.peek();
    if (token.kind === "punct" && token.text === ":") {
      lexer.next();
      token = lexer.peek();
      if (token.kind === "punct" && token.text === "[") {
        lexer.next();
        let first = true;
        for (;;) {
          const t = lexer.peek();
          if (t.kind === "punct" && t.text === "]") {
            lexer.next();
            return;
          }
          if (!first) {
            if (!(t.kind === "punct" && t.text === ",")) lexer.error(`expected ',' or ']' in list of '${name}', got ${describe(t)}`, t.line, t.column);
            lexer.next();
          }
          first = false;
          const item = lexer.peek();
          if (item.kind === "punct" && (item.text === "{" || item.text === "<")) push(this.parseMessageValue(depth));
          else push(this.parseScalar(name));
        }
      }
      if (token.kind === "punct" && (token.text === "{" || token.text === "<")) {
        push(this.parseMessageValue(depth));
        return;
      }
      push(this.parseScalar(name));
      return;
    }
    if (token.kind === "punct" && (token.text === "{" || token.text === "<")) {
      push(this.parseMessageValue(depth));
      return;
    }
    lexer.error(`expected ':' or '{' after field name '${name}', got ${describe(token)}`, token.line, token.column);
  }

  private parseMessageValue(depth: number): TextFormatMessage {
    const open = this.lexer.next();
    if (depth + 1 > MAX_DEPTH) this.lexer.error(`messages nested deeper than ${MAX_DEPTH} levels`, open.line, open.column);
    const fields: TextFormatField[] = [];
    this.parseFields(fields, { token: open, close: open.text === "{" ? "}" : ">" }, depth + 1);
    return { kind: "message", fields };
  }

  private parseScalar(field: string): string | number | boolean | TextFormatEnum {
    const lexer: Lexer = this.lexer;
    const token = lexer.next();
    switch (token.kind) {
      case "number":
        return token.num;
      case "string": {
        let text = token.text;
        while (lexer.peek().kind === "string") text += lexer.next().text;
        return text;
      }
      case "ident": {
        const after = lexer.peek();
        if (after.kind === "punct" && (after.text === ":" || after.text === "{")) {
          // `field:` followed by the next field's name: the value is missing.
          lexer.error(`missing value for field '${field}' (found field '${token.text}' instead)`, token.line, token.column);
        }
        if (token.text === "true" || token.text === "True") return true;
        if (token.text === "false" || token.text === "False") return false;
        const special = SPECIAL_FLOATS[token.text.toLowerCase()];
        if (special !== undefined) return special;
        return { kind: "enum", name: token.text };
      }
      case "punct":
        if (token.text === "-") {
          const t = lexer.next();
          if (t.kind === "number") return -t.num;
          if (t.kind === "ident") {
            const special = SPECIAL_FLOATS[t.text.toLowerCase()];
            if (special !== undefined) return -special;
          }
          lexer.error(`expected a number after '-' for field '${field}', got ${describe(t)}`, t.line, t.column);
        }
        if (token.text === "}" || token.text === ">" || token.text === "," || token.text === ";") {
          lexer.error(`missing value for field '${field}' (got '${token.text}')`, token.line, token.column);
        }
        return lexer.error(`expected a value for field '${field}', got ${describe(token)}`, token.line, token.column);
      case "eof":
        return lexer.error(`missing value for field '${field}' (got end of input)`, token.line, token.column);
    }
  }
}

/**
 * Parses protobuf text format into a generic message, keeping every field
 * occurrence in order with its position. No schema is applied.
 *
 * Cost: O(length of `text`).
 *
 * @param text - The text-format document.
 * @param source - Name used in error messages (default `"<input>"`).
 * @returns The top-level message.
 * @throws {@link ParseError} on malformed input (unbalanced braces, a missing
 *   value, an unexpected token, an unterminated string), with the 1-based line
 *   and column of the offending token and the source name.
 *
 * @example
 * ```ts
 * const msg = parseTextFormat('layer { name: "a" kernel_size: [3, 3] }');
 * // msg.fields[0].name === "layer"
 * ```
 */
export function parseTextFormat(text: string, source = "<input>"): TextFormatMessage {
  return new TextFormatParser(text, source).parseTop();
}

// ---------------------------------------------------------------------------
// caffe.proto normalisation
// ---------------------------------------------------------------------------

/** What the normaliser knows about one caffe.proto message type. */
interface MessageSchema {
  /** Fields declared `repeated`. */
  readonly repeated: ReadonlySet<string>;
  /** Sub-message fields → their message type. */
  readonly messages: Readonly<Record<string, string>>;
}

const LAYER_PARAM_MESSAGES: Readonly<Record<string, string>> = {
  include: "NetStateRule",
  exclude: "NetStateRule",
  convolution_param: "ConvolutionParameter",
  input_param: "InputParameter",
  reshape_param: "ReshapeParameter",
  eltwise_param: "EltwiseParameter",
};

/**
 * The repeated fields of the caffe.proto messages a net description uses
 * (BVLC caffe.proto). Messages not listed here are normalised leniently:
 * a field given once is a scalar, a field given several times an array.
 */
const CAFFE_SCHEMA: Readonly<Record<string, MessageSchema>> = {
  NetParameter: {
    repeated: new Set(["input", "input_shape", "input_dim", "layer", "layers"]),
    messages: { layer: "LayerParameter", layers: "V1LayerParameter", input_shape: "BlobShape", state: "NetState" },
  },
  LayerParameter: {
    repeated: new Set(["bottom", "top", "loss_weight", "param", "blobs", "propagate_down", "include", "exclude"]),
    messages: LAYER_PARAM_MESSAGES,
  },
  V1LayerParameter: {
    repeated: new Set([
      "bottom", "top", "blobs", "blob_share_mode", "blobs_lr", "weight_decay", "loss_weight", "param", "include", "exclude",
    ]),
    messages: LAYER_PARAM_MESSAGES,
  },
  NetState: { repeated: new Set(["stage"]), messages: {} },
  NetStateRule: { repeated: new Set(["stage", "not_stage"]), messages: {} },
  BlobShape: { repeated: new Set(["dim"]), messages: {} },
  ConvolutionParameter: { repeated: new Set(["pad", "kernel_size", "stride", "dilation"]), messages: {} },
  InputParameter: { repeated: new Set(["shape"]), messages: { shape: "BlobShape" } },
  ReshapeParameter: { repeated: new Set(), messages: { shape: "BlobShape" } },
  EltwiseParameter: { repeated: new Set(["coeff"]), messages: {} },
};

/** Caffe's V1 `LayerType` enum names → the type strings of `layer {}` (as Caffe's UpgradeV1LayerType maps them). */
export const V1_LAYER_TYPES: Readonly<Record<string, string>> = {
  ABSVAL: "AbsVal",
  ACCURACY: "Accuracy",
  ARGMAX: "ArgMax",
  BNLL: "BNLL",
  CONCAT: "Concat",
  CONTRASTIVE_LOSS: "ContrastiveLoss",
  CONVOLUTION: "Convolution",
  DECONVOLUTION: "Deconvolution",
  DATA: "Data",
  DROPOUT: "Dropout",
  DUMMY_DATA: "DummyData",
  EUCLIDEAN_LOSS: "EuclideanLoss",
  ELTWISE: "Eltwise",
  EXP: "Exp",
  FLATTEN: "Flatten",
  HDF5_DATA: "HDF5Data",
  HDF5_OUTPUT: "HDF5Output",
  HINGE_LOSS: "HingeLoss",
  IM2COL: "Im2col",
  IMAGE_DATA: "ImageData",
  INFOGAIN_LOSS: "InfogainLoss",
  INNER_PRODUCT: "InnerProduct",
  LRN: "LRN",
  MEMORY_DATA: "MemoryData",
  MULTINOMIAL_LOGISTIC_LOSS: "MultinomialLogisticLoss",
  MVN: "MVN",
  POOLING: "Pooling",
  POWER: "Power",
  RELU: "ReLU",
  SIGMOID: "Sigmoid",
  SIGMOID_CROSS_ENTROPY_LOSS: "SigmoidCrossEntropyLoss",
  SILENCE: "Silence",
  SOFTMAX: "Softmax",
  SOFTMAX_LOSS: "SoftmaxWithLoss",
  SPLIT: "Split",
  SLICE: "Slice",
  TANH: "TanH",
  WINDOW_DATA: "WindowData",
  THRESHOLD: "Threshold",
};

function scalarToCaffe(value: TextFormatValue, typeName: string | undefined): CaffeValue {
  if (typeof value === "object") {
    return value.kind === "enum" ? value.name : messageToCaffe(value, typeName);
  }
  return value;
}

/**
 * Converts a generic message into plain caffe objects following
 * {@link CAFFE_SCHEMA}: known repeated fields are always arrays, other fields
 * are scalars when given once and arrays when given several times; enum
 * identifiers become strings.
 */
function messageToCaffe(message: TextFormatMessage, typeName: string | undefined): CaffeMessage {
  const schema = typeName === undefined ? undefined : CAFFE_SCHEMA[typeName];
  const grouped = new Map<string, CaffeValue[]>();
  for (const field of message.fields) {
    const subType = schema?.messages[field.name];
    const value = scalarToCaffe(field.value, subType);
    const list = grouped.get(field.name);
    if (list === undefined) grouped.set(field.name, [value]);
    else list.push(value);
  }
  const out: Record<string, CaffeValue> = {};
  for (const [name, values] of grouped) {
    out[name] = schema?.repeated.has(name) === true || values.length > 1 ? values : values[0]!;
  }
  return out;
}

/** First occurrence of a field, for positions in errors. */
function firstField(message: TextFormatMessage, name: string): TextFormatField | undefined {
  return message.fields.find((f) => f.name === name);
}

function checkLayerFields(layer: TextFormatMessage, source: string, v1: boolean): void {
  for (const field of layer.fields) {
    const v = field.value;
    if (field.name === "name" && typeof v !== "string") {
      throw new ParseError("layer field 'name' must be a quoted string", field.line, field.column, source);
    }
    if (field.name === "type") {
      const ok = typeof v === "string" || (v1 && typeof v === "object" && v.kind === "enum");
      if (!ok) throw new ParseError("layer field 'type' must be a quoted string", field.line, field.column, source);
    }
    if ((field.name === "bottom" || field.name === "top") && typeof v !== "string") {
      throw new ParseError(`layer field '${field.name}' must be a quoted blob name`, field.line, field.column, source);
    }
  }
}

function checkDims(message: TextFormatMessage, source: string): void {
  for (const field of message.fields) {
    const v = field.value;
    if (field.name === "dim" && (typeof v !== "number" || !Number.isInteger(v))) {
      throw new ParseError("field 'dim' must be an integer", field.line, field.column, source);
    }
    if (typeof v === "object" && v.kind === "message") checkDims(v, source);
  }
}

/**
 * Maps a parsed text-format `NetParameter` onto a {@link CaffeNetSpec}.
 * V1 `layers { type: CONVOLUTION … }` entries become `layer` entries with the
 * new type names ({@link V1_LAYER_TYPES}); old-style top-level
 * `input` / `input_dim` / `input_shape` are kept as they are (the net
 * builder turns them into an Input layer as Caffe's upgrade does).
 *
 * Cost: O(size of the message).
 *
 * @param message - Output of {@link parseTextFormat}.
 * @param source - Name used in error messages (default `"<input>"`).
 * @throws {@link ParseError} when a layer's `name`, `type`, `bottom`, `top`
 *   or a `dim` has the wrong kind of value (with its position).
 * @throws {@link InvalidModelError} when the net mixes `layer` and V1 `layers`.
 */
export function normalizeCaffeNet(message: TextFormatMessage, source = "<input>"): CaffeNetSpec {
  const hasNew = firstField(message, "layer");
  const hasOld = firstField(message, "layers");
  if (hasNew !== undefined && hasOld !== undefined) {
    throw new InvalidModelError(
      `${source}:${hasOld.line}:${hasOld.column}: the net mixes new 'layer' and old V1 'layers' entries; use one style`,
    );
  }
  for (const field of message.fields) {
    const v = field.value;
    if (field.name === "layer" || field.name === "layers") {
      if (typeof v !== "object" || v.kind !== "message") {
        throw new ParseError(`'${field.name}' must be a message ({ … })`, field.line, field.column, source);
      }
      checkLayerFields(v, source, field.name === "layers");
      checkDims(v, source);
    } else if (field.name === "input" && typeof v !== "string") {
      throw new ParseError("field 'input' must be a quoted blob name", field.line, field.column, source);
    } else if (field.name === "input_dim" && (typeof v !== "number" || !Number.isInteger(v))) {
      throw new ParseError("field 'input_dim' must be an integer", field.line, field.column, source);
    } else if (field.name === "input_shape") {
      if (typeof v !== "object" || v.kind !== "message") {
        throw new ParseError("'input_shape' must be a message ({ dim: … })", field.line, field.column, source);
      }
      checkDims(v, source);
    }
  }
  const net = messageToCaffe(message, "NetParameter") as Record<string, unknown>;
  const rawLayers = (net["layer"] ?? net["layers"] ?? []) as Record<string, unknown>[];
  const layer: CaffeLayerSpec[] = rawLayers.map((raw) => {
    const type = raw["type"];
    const mapped = hasOld !== undefined && typeof type === "string" ? (V1_LAYER_TYPES[type] ?? type) : type;
    return { ...raw, name: (raw["name"] as string | undefined) ?? "", type: (mapped as string | undefined) ?? "" } as CaffeLayerSpec;
  });
  const spec: {
    -readonly [K in keyof CaffeNetSpec]: CaffeNetSpec[K];
  } = { layer };
  if (typeof net["name"] === "string") spec.name = net["name"];
  if (net["input"] !== undefined) spec.input = net["input"] as string[];
  if (net["input_dim"] !== undefined) spec.input_dim = net["input_dim"] as number[];
  if (net["input_shape"] !== undefined) spec.input_shape = net["input_shape"] as unknown as CaffeBlobShape[];
  if (net["state"] !== undefined) spec.state = net["state"] as CaffeMessage;
  return spec;
}

/**
 * Parses a Caffe prototxt (protobuf text format of `NetParameter`) into a
 * {@link CaffeNetSpec}: a generic text-format parse (`parseTextFormat`)
 * followed by the mapping onto caffe.proto fields (`normalizeCaffeNet`).
 *
 * Cost: O(length of `text`).
 *
 * @param text - Contents of the `.prototxt` file.
 * @param source - File name or label for error messages (default `"<input>"`).
 * @throws {@link ParseError} on malformed text, with line and column.
 * @throws {@link InvalidModelError} on a structurally invalid net description.
 *
 * @example
 * ```ts
 * const spec = parsePrototxt(readFileSync("deploy.prototxt", "utf8"), "deploy.prototxt");
 * spec.layer[0].name; // "data"
 * ```
 */
export function parsePrototxt(text: string, source = "<input>"): CaffeNetSpec {
  // One-pass reader for valid files (prototxt-fast.ts); errors and rare syntax go through the two stages.
  return parsePrototxtFast(text) ?? normalizeCaffeNet(parseTextFormat(text, source), source);
}
