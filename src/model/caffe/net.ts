/**
 * Caffe's net-construction rules: turns a {@link CaffeNetSpec} into the
 * *runtime* layer list Caffe executes, with every blob shape, parameter blob,
 * parameter count and MAC count. The IONN planner (paper §5: the execution
 * graph has one node triple per layer, and the published per-layer profiles
 * list exactly this runtime list) and Table 1 (layer counts, model sizes)
 * depend on it matching Caffe line by line.
 *
 * What is reproduced, in Caffe's order of operations (`Net::Init`):
 * 1. `UpgradeNetInput`: old-style top-level `input` / `input_dim` /
 *    `input_shape` become one `Input` layer named `input`, placed first.
 * 2. `FilterNet`: only layers whose `include` / `exclude` rules admit the
 *    TEST phase (level and stages from the file's `state`, default level 0,
 *    no stage) are kept.
 * 3. `InsertSplits`: a produced top (one producer, one top index) read by more
 *    than one later bottom gets a `Split` layer right after its producer,
 *    named `<blob>_<producer>_<topIndex>_split`, with tops
 *    `<blob>_<producer>_<topIndex>_split_<i>`; the readers are rewired to those
 *    tops in reading order. An in-place layer (top = bottom) is a new
 *    producer: the split follows the last writer (`res2a_res2a_relu_0_split`).
 * 4. Shape inference at batch 1 (the Input's first dimension is forced to 1).
 *
 *    An explicit non-zero `loss_weight` on a top counts as one more reader,
 *    as in Caffe (a weighted top also read by a layer is split).
 *
 * Train/test nets (`train_val.prototxt`) import too: the TEST-phase data layer
 * becomes the net's Input layer (see {@link networkFromCaffeNet}), loss and
 * accuracy layers yield scalars.
 *
 * @module
 */
import { InvalidArgumentError, InvalidModelError, UnsupportedLayerError } from "../../errors.js";
import type {
  BatchNormParams,
  ConcatParams,
  ConvolutionParams,
  DropoutParams,
  EltwiseParams,
  FlattenParams,
  InnerProductParams,
  InputParams,
  Layer,
  LayerParams,
  LRNParams,
  Network,
  PoolingParams,
  ReshapeParams,
  ScaleParams,
  Shape,
  SoftmaxParams,
  TensorRef,
} from "../types.js";
import type { CaffeLayerSpec, CaffeMessage, CaffeNetSpec } from "./spec.js";

// ---------------------------------------------------------------------------
// Field readers with error messages naming source, layer and field
// ---------------------------------------------------------------------------

/** Where an error happened: `<source>: layer '<name>' (<type>)`. */
interface Context {
  readonly source: string;
  readonly layer: string;
  readonly type: string;
}

function where(ctx: Context): string {
  return `${ctx.source}: layer '${ctx.layer}' (${ctx.type})`;
}

function invalid(ctx: Context, message: string): never {
  throw new InvalidModelError(`${where(ctx)}: ${message}`);
}

function isMessage(value: unknown): value is CaffeMessage {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The read fields of the messages of one layer: a few messages, so two short
 * parallel lists (a Map and a Set per message would be two more objects per
 * layer); a Map only past {@link LINEAR_MESSAGES} messages.
 */
class ReadFields {
  private messages: object[] = [];
  private fields: string[][] = [];
  private index: Map<object, string[]> | undefined;

  get size(): number {
    return this.messages.length;
  }

  get(msg: object): string[] | undefined {
    if (this.index !== undefined) return this.index.get(msg);
    const messages = this.messages;
    for (let i = 0; i < messages.length; i++) if (messages[i] === msg) return this.fields[i];
    return undefined;
  }

  /** The read-field list of `msg`, made empty the first time. */
  of(msg: object): string[] {
    const known = this.get(msg);
    if (known !== undefined) return known;
    const list: string[] = [];
    this.messages.push(msg);
    this.fields.push(list);
    if (this.index !== undefined) this.index.set(msg, list);
    else if (this.messages.length > LINEAR_MESSAGES) this.index = new Map(this.messages.map((m, i) => [m, this.fields[i]!]));
    return list;
  }

  clear(): void {
    if (this.messages.length === 0) return;
    // emptied in place (cleared before every layer: no two fresh arrays per layer)
    this.messages.length = 0;
    this.fields.length = 0;
    this.index = undefined;
  }
}

const LINEAR_MESSAGES = 16;

/**
 * Fields read by the importer, per message object (for the unknown-field
 * warnings). Fresh for each {@link networkFromCaffeNetDetailed} call and
 * dropped at its end (a WeakMap of a million messages makes every major GC
 * walk its ephemerons), and cleared before each layer's shape inference:
 * {@link unknownFields} checks the messages of the layer just inferred, so it
 * holds one layer's messages, not a million.
 */
let ACCESSED = newReadFields();

function newReadFields(): ReadFields {
  return new ReadFields();
}

/**
 * The last Convolution and Pooling layer of the import in progress, read by
 * the plain readers, with their inferred result: a net repeats the same
 * layer (same fields, same input shapes) many times, and then the plain
 * reader returns the same fields object and the inference the same result
 * (shared shapes and params, as interning would make them anyway). Fresh for
 * each {@link networkFromCaffeNetDetailed} call, like {@link ACCESSED}.
 */
interface LastLayers {
  convolution?: ConvolutionParams;
  convolutionResult?: { readonly params: ConvolutionParams; readonly inputs: Shape[]; readonly deconv: boolean; readonly inferred: Inferred };
  pooling?: PoolingFields;
  poolingResult?: { readonly fields: PoolingFields; readonly inputs: Shape[]; readonly tops: number; readonly inferred: Inferred };
}

let LAST: LastLayers = {};

/** Record that `field` was read (once). */
function markRead(list: string[] | undefined, field: string): void {
  if (list !== undefined && !list.includes(field)) list.push(field);
}

/** Fields the importer deliberately ignores (training-only, fillers, engines), in any message. */
const IGNORED_FIELDS = new Set(["weight_filler", "bias_filler", "filler", "engine", "scale_filler", "shift_filler", "slope_filler", "use_global_stats", "moving_average_fraction", "force_nd_im2col"]);

/** Parameter messages not checked for unknown fields (data sources, losses: not part of inference). */
const UNCHECKED_MESSAGES = new Set(["transform_param", "data_param", "image_data_param", "window_data_param", "memory_data_param", "hdf5_data_param", "dummy_data_param", "loss_param", "accuracy_param", "python_param"]);

/**
 * `<message>.<field>` paths of the fields of a layer's `*_param` messages
 * that the importer read none of (checked only in messages it did read).
 */
function unknownFields(spec: CaffeLayerSpec): readonly string[] {
  // own keys walked with for-in (no key list per layer; the same order as Object.keys)
  let found: string[] | undefined;
  for (const key in spec) {
    if (!key.endsWith("_param") || !Object.hasOwn(spec, key) || UNCHECKED_MESSAGES.has(key)) continue;
    const value = spec[key];
    if (isMessage(value)) found = unknownIn(value, key, found);
  }
  return found ?? NO_FIELDS;
}

const NO_FIELDS: readonly string[] = [];

/** {@link unknownFields} of one message read by the importer (and of its sub-messages), appended to `found`. */
function unknownIn(msg: CaffeMessage, path: string, found: string[] | undefined): string[] | undefined {
  const accessed = ACCESSED.get(msg);
  if (accessed === undefined) return found;
  for (const key in msg) {
    if (!Object.hasOwn(msg, key) || IGNORED_FIELDS.has(key)) continue;
    const value = msg[key];
    if (!accessed.includes(key)) (found ??= []).push(`${path}.${key}`);
    else if (Array.isArray(value)) {
      for (const v of value) if (isMessage(v)) found = unknownIn(v, `${path}.${key}`, found);
    } else if (isMessage(value)) found = unknownIn(value, `${path}.${key}`, found);
  }
  return found;
}

/**
 * Typed access to one caffe.proto sub-message (`convolution_param`, …).
 * Lenient about repetition: a repeated field may be given as a scalar, and a
 * singular field as a one-element array (specs built in code may do either).
 */
class Fields {
  /** The read-field list of {@link msg} in {@link ACCESSED}. */
  private readonly accessed: string[] | undefined;

  constructor(
    private readonly msg: CaffeMessage | undefined,
    private readonly path: string,
    private readonly ctx: Context,
  ) {
    this.accessed = msg === undefined ? undefined : ACCESSED.of(msg);
  }

  /**
   * Record a read of `field`. Only fields the message has are recorded: the
   * warnings name the message's fields that were never read
   * ({@link unknownFields}), so reads of absent fields would only lengthen the
   * list (a Convolution reads a dozen optional fields and has two or three).
   */
  private mark(field: string): void {
    if (this.accessed !== undefined && Object.hasOwn(this.msg!, field)) markRead(this.accessed, field);
  }

  static of(spec: CaffeLayerSpec, field: string, ctx: Context): Fields {
    const value = spec[field];
    if (value !== undefined && !isMessage(value)) invalid(ctx, `${field} must be a message`);
    return new Fields(value as CaffeMessage | undefined, field, ctx);
  }

  private name(field: string): string {
    return this.path === "" ? field : `${this.path}.${field}`;
  }

  has(field: string): boolean {
    this.mark(field);
    return this.msg !== undefined && this.msg[field] !== undefined;
  }

  private single(field: string): unknown {
    this.mark(field);
    const value = this.msg?.[field];
    if (Array.isArray(value)) {
      if (value.length === 1) return value[0];
      if (value.length === 0) return undefined;
      invalid(this.ctx, `${this.name(field)} is not a repeated field but is given ${value.length} times`);
    }
    return value;
  }

  /** A number (default used when absent; required when `fallback` is undefined). */
  number(field: string, fallback?: number): number {
    const value = this.single(field);
    if (value === undefined) {
      if (fallback === undefined) invalid(this.ctx, `${this.name(field)} is required`);
      return fallback;
    }
    if (typeof value !== "number" || Number.isNaN(value)) invalid(this.ctx, `${this.name(field)} must be a number, got ${JSON.stringify(value)}`);
    return value;
  }

  /** An integer, optionally at least `min`. */
  int(field: string, fallback?: number, min = -Infinity): number {
    const value = this.number(field, fallback);
    if (!Number.isInteger(value)) invalid(this.ctx, `${this.name(field)} must be an integer, got ${value}`);
    if (value < min) invalid(this.ctx, `${this.name(field)} must be at least ${min}, got ${value}`);
    return value;
  }

  bool(field: string, fallback: boolean): boolean {
    const value = this.single(field);
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    if (value === 1 || value === 0) return value === 1;
    if (value === "true" || value === "false") return value === "true";
    return invalid(this.ctx, `${this.name(field)} must be true or false, got ${JSON.stringify(value)}`);
  }

  /** An enum given by name or by its caffe.proto number (`names[number]`). */
  enumName(field: string, names: readonly string[], fallback: string): string {
    const value = this.single(field);
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value < names.length) return names[value]!;
    if (typeof value === "string" && names.includes(value)) return value;
    return invalid(this.ctx, `${this.name(field)} must be one of ${names.join(", ")}, got ${JSON.stringify(value)}`);
  }

  /** A repeated integer field (a scalar counts as one element); a fresh array. */
  ints(field: string, min = -Infinity): number[] {
    this.mark(field);
    const raw = this.msg?.[field];
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) return [this.intItem(field, raw, min)];
    const out = new Array<number>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = this.intItem(field, raw[i], min);
    return out;
  }

  private intItem(field: string, v: unknown, min: number): number {
    if (typeof v !== "number" || !Number.isInteger(v)) invalid(this.ctx, `${this.name(field)} must be integers, got ${JSON.stringify(v)}`);
    if (v < min) invalid(this.ctx, `${this.name(field)} must be at least ${min}, got ${v}`);
    return v;
  }

  /** A repeated number field; a fresh array. */
  numbers(field: string): number[] {
    this.mark(field);
    const raw = this.msg?.[field];
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) return [this.numberItem(field, raw)];
    const out = new Array<number>(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = this.numberItem(field, raw[i]);
    return out;
  }

  private numberItem(field: string, v: unknown): number {
    if (typeof v !== "number") invalid(this.ctx, `${this.name(field)} must be numbers, got ${JSON.stringify(v)}`);
    return v;
  }

  /** Repeated sub-messages (a single message counts as one). */
  messages(field: string): Fields[] {
    this.mark(field);
    const raw = this.msg?.[field];
    if (raw === undefined) return [];
    const list = Array.isArray(raw) ? raw : [raw];
    return list.map((v, i) => {
      if (!isMessage(v)) invalid(this.ctx, `${this.name(field)} must be a message`);
      return new Fields(v, list.length > 1 ? `${this.name(field)}[${i}]` : this.name(field), this.ctx);
    });
  }

  /** A singular sub-message (empty when absent). */
  message(field: string): Fields {
    const value = this.single(field);
    if (value !== undefined && !isMessage(value)) invalid(this.ctx, `${this.name(field)} must be a message`);
    return new Fields(value as CaffeMessage | undefined, this.name(field), this.ctx);
  }
}

// ---------------------------------------------------------------------------
// Runtime list: input upgrade, phase filter, split insertion
// ---------------------------------------------------------------------------

/** A layer of the runtime list before shape inference. */
interface RuntimeEntry {
  readonly spec: CaffeLayerSpec;
  readonly name: string;
  readonly type: string;
  /** Bottom names after split rewiring. */
  readonly bottoms: string[];
  readonly tops: string[];
  /** Data source of each bottom as (runtime layer index, top index), filled during emission. */
  readonly inputs: TensorRef[];
}

function stringList(value: unknown, what: string, ctx: Context): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const v of list) if (typeof v !== "string" || v === "") invalid(ctx, `${what} must be non-empty blob names, got ${JSON.stringify(v)}`);
  return list as string[];
}

/** Caffe's UpgradeNetInput: the old top-level input fields as an `Input` layer named `input`. */
function upgradeInput(spec: CaffeNetSpec, source: string): CaffeLayerSpec | null {
  const inputs = spec.input ?? [];
  const inputDims = spec.input_dim ?? [];
  const inputShapes = spec.input_shape ?? [];
  if (inputs.length === 0 && inputDims.length === 0 && inputShapes.length === 0) return null;
  const ctx: Context = { source, layer: "input", type: "Input" };
  if (inputShapes.length === 0 && inputDims.length === 0) {
    invalid(ctx, `the net declares input ${JSON.stringify(inputs)} without input_dim or input_shape, so its shape is unknown`);
  }
  if (inputs.length === 0) invalid(ctx, "input_dim / input_shape given without any input blob name");
  let shapes: { dim: readonly number[] }[];
  if (inputShapes.length > 0) {
    if (inputShapes.length !== inputs.length) {
      invalid(ctx, `${inputs.length} input blob(s) but ${inputShapes.length} input_shape entries`);
    }
    shapes = inputShapes.map((s) => ({ dim: s.dim }));
  } else {
    if (inputDims.length !== 4 * inputs.length) {
      invalid(ctx, `input_dim must give 4 dimensions per input blob: ${inputs.length} input(s), ${inputDims.length} input_dim values`);
    }
    shapes = inputs.map((_, i) => ({ dim: inputDims.slice(4 * i, 4 * i + 4) }));
  }
  return { name: "input", type: "Input", top: [...inputs], input_param: { shape: shapes } };
}

interface NetState {
  readonly level: number;
  readonly stages: ReadonlySet<string>;
}

/** Caffe's `Net::StateMeetsRule` for the TEST phase. */
function meetsRule(rule: Fields, state: NetState): boolean {
  if (rule.has("phase") && rule.enumName("phase", ["TRAIN", "TEST"], "TEST") !== "TEST") return false;
  if (rule.has("min_level") && state.level < rule.int("min_level")) return false;
  if (rule.has("max_level") && state.level > rule.int("max_level")) return false;
  return true;
}

function stageList(rule: CaffeMessage | undefined, field: string): string[] {
  const raw = rule?.[field];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

function admittedInTest(spec: CaffeLayerSpec, state: NetState, ctx: Context): boolean {
  const include = spec.include ?? [];
  const exclude = spec.exclude ?? [];
  const includeList = Array.isArray(include) ? include : [include];
  const excludeList = Array.isArray(exclude) ? exclude : [exclude];
  if (includeList.length > 0 && excludeList.length > 0) {
    invalid(ctx, "a layer may specify include rules or exclude rules, not both");
  }
  const meets = (raw: unknown, field: string): boolean => {
    if (!isMessage(raw)) invalid(ctx, `${field} must be a NetStateRule message`);
    const rule = new Fields(raw, field, ctx);
    if (!meetsRule(rule, state)) return false;
    for (const stage of stageList(raw, "stage")) if (!state.stages.has(stage)) return false;
    for (const stage of stageList(raw, "not_stage")) if (state.stages.has(stage)) return false;
    return true;
  };
  if (includeList.length > 0) return includeList.some((r) => meets(r, "include"));
  return !excludeList.some((r) => meets(r, "exclude"));
}

// ---------------------------------------------------------------------------
// Shape inference per layer type
// ---------------------------------------------------------------------------

/** What shape inference yields for one layer. */
interface Inferred {
  readonly outputShapes: Shape[];
  readonly params: LayerParams;
  readonly paramShapes: Shape[];
  readonly macs: number;
  /** The runtime type when it differs from the declared one (data layers become `Input`). */
  readonly type?: string;
  /** Something the caller should know (a fork field interpreted, a guessed size). */
  readonly warning?: string;
}

function size(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function fmt(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Caffe's `Blob::CanonicalAxisIndex`. */
function canonicalAxis(axis: number, ndim: number, field: string, ctx: Context): number {
  if (axis < -ndim || axis >= ndim) invalid(ctx, `${field} ${axis} is out of range for a ${ndim}-D input`);
  return axis < 0 ? axis + ndim : axis;
}

function expectCounts(ctx: Context, bottoms: number, tops: number, minB: number, maxB: number, minT: number, maxT: number): void {
  if (bottoms < minB || bottoms > maxB) {
    const want = minB === maxB ? `${minB}` : maxB === Infinity ? `at least ${minB}` : `${minB} to ${maxB}`;
    invalid(ctx, `takes ${want} bottom blob(s), got ${bottoms}`);
  }
  if (tops < minT || tops > maxT) {
    const want = minT === maxT ? `${minT}` : maxT === Infinity ? `at least ${minT}` : `${minT} to ${maxT}`;
    invalid(ctx, `produces ${want} top blob(s), got ${tops}`);
  }
}

function expect4d(shape: Shape, ctx: Context, what = "input"): void {
  if (shape.length !== 4) invalid(ctx, `expects a 4-D ${what} [N, C, H, W], got ${fmt(shape)}`);
}

function convolutionParams(spec: CaffeLayerSpec, ctx: Context): ConvolutionParams {
  return plainConvolutionParams(spec["convolution_param"]) ?? checkedConvolutionParams(spec, ctx);
}

/** An integer ≥ `min`, else `undefined`. */
function plainScalarInt(v: unknown, min: number): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v >= min ? v : undefined;
}

/** A singular integer field ≥ `min` (a one-element list counts as its element), else `undefined`. */
function plainInt(value: unknown, min: number): number | undefined {
  return plainScalarInt(Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value, min);
}

/** A repeated integer field of 1 or 2 values ≥ `min` (a scalar counts as one) as `[h, w]`, else `undefined`. */
function plainPair(value: unknown, min: number): readonly [number, number] | undefined {
  if (!Array.isArray(value)) {
    const v = plainScalarInt(value, min);
    return v === undefined ? undefined : [v, v];
  }
  if (value.length < 1 || value.length > 2) return undefined;
  const h = plainScalarInt(value[0], min);
  const w = plainScalarInt(value[value.length - 1], min);
  return h === undefined || w === undefined ? undefined : [h, w];
}

/**
 * {@link convolutionParams} of a message with only the fields Caffe's
 * convolution reads (or ignores), each valid and singular fields given
 * once, as nearly every prototxt has it: one walk over its keys instead of a
 * dozen checked lookups per layer. `undefined` for anything else (an
 * unknown field to warn about, a value to reject, `kernel_h` without
 * `kernel_w`, …): the checked reader then gives the same result, or the
 * error, or the warning. Records no field reads (every field is known).
 */
function plainConvolutionParams(msg: unknown): ConvolutionParams | undefined {
  if (!isMessage(msg)) return undefined;
  let numOutput: number | undefined;
  let kernel: readonly [number, number] | undefined;
  let kernelH: number | undefined;
  let kernelW: number | undefined;
  let stride: readonly [number, number] | undefined;
  let strideH: number | undefined;
  let strideW: number | undefined;
  let pad: readonly [number, number] | undefined;
  let padH: number | undefined;
  let padW: number | undefined;
  let dilation: readonly [number, number] | undefined;
  let group = 1;
  let biasTerm = true;
  for (const key in msg) {
    const value: unknown = msg[key];
    if (value === undefined) return undefined;
    switch (key) {
      case "num_output":
        if ((numOutput = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "kernel_size":
        if ((kernel = plainPair(value, 1)) === undefined) return undefined;
        break;
      case "kernel_h":
        if ((kernelH = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "kernel_w":
        if ((kernelW = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "stride":
        if ((stride = plainPair(value, 1)) === undefined) return undefined;
        break;
      case "stride_h":
        if ((strideH = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "stride_w":
        if ((strideW = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "pad":
        if ((pad = plainPair(value, 0)) === undefined) return undefined;
        break;
      case "pad_h":
        if ((padH = plainInt(value, 0)) === undefined) return undefined;
        break;
      case "pad_w":
        if ((padW = plainInt(value, 0)) === undefined) return undefined;
        break;
      case "dilation":
        if ((dilation = plainPair(value, 1)) === undefined) return undefined;
        break;
      case "group": {
        const g = plainInt(value, 1);
        if (g === undefined) return undefined;
        group = g;
        break;
      }
      case "axis":
        if (plainInt(value, -Infinity) !== 1) return undefined;
        break;
      case "bias_term":
        if (typeof value !== "boolean") return undefined;
        biasTerm = value;
        break;
      default:
        if (!IGNORED_FIELDS.has(key)) return undefined;
    }
  }
  if (numOutput === undefined) return undefined;
  // the kernel: kernel_size, or kernel_h with kernel_w; stride and pad: the list, or both _h and _w, or neither
  if (kernel === undefined ? kernelH === undefined || kernelW === undefined : kernelH !== undefined || kernelW !== undefined) return undefined;
  const [kh, kw] = kernel ?? [kernelH!, kernelW!];
  const strides = plainSides(stride, strideH, strideW, 1);
  const pads = plainSides(pad, padH, padW, 0);
  if (strides === undefined || pads === undefined) return undefined;
  const dilationH = dilation?.[0] ?? 1;
  const dilationW = dilation?.[1] ?? dilationH;
  const last = LAST.convolution;
  if (
    last !== undefined &&
    last.numOutput === numOutput &&
    last.kernelH === kh &&
    last.kernelW === kw &&
    last.strideH === strides[0] &&
    last.strideW === strides[1] &&
    Object.is(last.padH, pads[0]) &&
    Object.is(last.padW, pads[1]) &&
    last.dilationH === dilationH &&
    last.dilationW === dilationW &&
    last.group === group &&
    last.biasTerm === biasTerm
  ) {
    return last;
  }
  return (LAST.convolution = { numOutput, kernelH: kh, kernelW: kw, strideH: strides[0], strideW: strides[1], padH: pads[0], padW: pads[1], dilationH, dilationW, group, biasTerm });
}

/** Stride or pad of {@link plainConvolutionParams}: the list, or `_h` with `_w`, or the default; `undefined` when mixed. */
function plainSides(list: readonly [number, number] | undefined, h: number | undefined, w: number | undefined, fallback: number): readonly [number, number] | undefined {
  if (h === undefined && w === undefined) return list ?? [fallback, fallback];
  return list === undefined && h !== undefined && w !== undefined ? [h, w] : undefined;
}

/** {@link convolutionParams} through the checked field readers (their errors, their read-field records). */
function checkedConvolutionParams(spec: CaffeLayerSpec, ctx: Context): ConvolutionParams {
  const f = Fields.of(spec, "convolution_param", ctx);
  if (!f.has("num_output")) invalid(ctx, "convolution_param.num_output is required");
  const numOutput = f.int("num_output", undefined, 1);
  if (!f.has("kernel_size") && !f.has("kernel_h") && !f.has("kernel_w")) {
    invalid(ctx, "convolution_param.kernel_size (or kernel_h and kernel_w) is required");
  }
  const [kernelH, kernelW] = kernelOf(f, ctx);
  const [strideH, strideW] = stridePadOf(f, "stride", 1, 1, ctx);
  const [padH, padW] = stridePadOf(f, "pad", 0, 0, ctx);
  const dilation = f.ints("dilation", 1);
  if (dilation.length > 2) invalid(ctx, `convolution_param.dilation must have 1 or 2 values, got ${dilation.length}`);
  const dilationH = dilation[0] ?? 1;
  const dilationW = dilation[1] ?? dilationH;
  const group = f.int("group", 1, 1);
  const axis = f.int("axis", 1);
  if (axis !== 1) invalid(ctx, `convolution_param.axis ${axis} is not supported (only channel axis 1)`);
  return { numOutput, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, group, biasTerm: f.bool("bias_term", true) };
}

function kernelOf(f: Fields, ctx: Context): [number, number] {
  if (f.has("kernel_h") || f.has("kernel_w")) {
    if (f.has("kernel_size")) invalid(ctx, "convolution_param: give either kernel_size or kernel_h/kernel_w, not both");
    if (!f.has("kernel_h") || !f.has("kernel_w")) invalid(ctx, "convolution_param.kernel_h and kernel_w must be given together");
    return [f.int("kernel_h", undefined, 1), f.int("kernel_w", undefined, 1)];
  }
  const ks = f.ints("kernel_size", 1);
  if (ks.length === 1) return [ks[0]!, ks[0]!];
  if (ks.length === 2) return [ks[0]!, ks[1]!];
  return invalid(ctx, `convolution_param.kernel_size must have 1 or 2 values for a 2-D convolution, got ${ks.length}`);
}

/** Convolution stride / pad: `<name>_h`+`<name>_w` or repeated `<name>` (0, 1 or 2 values). */
function stridePadOf(f: Fields, name: string, fallback: number, min: number, ctx: Context): [number, number] {
  // constant names (no two strings per call per layer)
  const h = name === "stride" ? "stride_h" : name === "pad" ? "pad_h" : `${name}_h`;
  const w = name === "stride" ? "stride_w" : name === "pad" ? "pad_w" : `${name}_w`;
  if (f.has(h) || f.has(w)) {
    if (f.has(name)) invalid(ctx, `convolution_param: give either ${name} or ${h}/${w}, not both`);
    if (!f.has(h) || !f.has(w)) invalid(ctx, `convolution_param.${h} and ${w} must be given together`);
    return [f.int(h, undefined, min), f.int(w, undefined, min)];
  }
  const list = f.ints(name, min);
  if (list.length === 0) return [fallback, fallback];
  if (list.length === 1) return [list[0]!, list[0]!];
  if (list.length === 2) return [list[0]!, list[1]!];
  return invalid(ctx, `convolution_param.${name} must have 1 or 2 values for a 2-D convolution, got ${list.length}`);
}

function inferConvolution(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context, deconv: boolean): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, Infinity, inputs.length, inputs.length);
  const p = convolutionParams(spec, ctx);
  const last = LAST.convolutionResult;
  if (last !== undefined && last.params === p && last.inputs === inputs && last.deconv === deconv) return last.inferred;
  const inferred = convolutionResult(p, inputs, ctx, deconv);
  LAST.convolutionResult = { params: p, inputs, deconv, inferred };
  return inferred;
}

/** Output shape, parameter blobs and MACs of a convolution with params `p`. */
function convolutionResult(p: ConvolutionParams, inputs: Shape[], ctx: Context, deconv: boolean): Inferred {
  const first = inputs[0]!;
  expect4d(first, ctx);
  for (const s of inputs) if (!sameShape(s, first)) invalid(ctx, `all bottoms must have the same shape: ${fmt(first)} vs ${fmt(s)}`);
  const [n, cin, h, w] = first as [number, number, number, number];
  if (cin % p.group !== 0) invalid(ctx, `convolution_param.group ${p.group} does not divide the ${cin} input channels`);
  if (p.numOutput % p.group !== 0) invalid(ctx, `convolution_param.group ${p.group} does not divide num_output ${p.numOutput}`);
  const extentH = p.dilationH * (p.kernelH - 1) + 1;
  const extentW = p.dilationW * (p.kernelW - 1) + 1;
  let hout: number;
  let wout: number;
  if (deconv) {
    hout = p.strideH * (h - 1) + extentH - 2 * p.padH;
    wout = p.strideW * (w - 1) + extentW - 2 * p.padW;
  } else {
    if (extentH > h + 2 * p.padH || extentW > w + 2 * p.padW) {
      invalid(ctx, `kernel extent ${extentH}x${extentW} is bigger than the padded input ${h + 2 * p.padH}x${w + 2 * p.padW} (input ${fmt(first)})`);
    }
    hout = Math.floor((h + 2 * p.padH - extentH) / p.strideH) + 1;
    wout = Math.floor((w + 2 * p.padW - extentW) / p.strideW) + 1;
  }
  if (hout <= 0 || wout <= 0) invalid(ctx, `output size ${hout}x${wout} is not positive (input ${fmt(first)})`);
  const out: Shape = [n, p.numOutput, hout, wout];
  const weight: Shape = deconv
    ? [cin, p.numOutput / p.group, p.kernelH, p.kernelW]
    : [p.numOutput, cin / p.group, p.kernelH, p.kernelW];
  const paramShapes: Shape[] = p.biasTerm ? [weight, [p.numOutput]] : [weight];
  const perPair = deconv
    ? n * cin * h * w * (p.numOutput / p.group) * p.kernelH * p.kernelW
    : n * p.numOutput * hout * wout * (cin / p.group) * p.kernelH * p.kernelW;
  return { outputShapes: inputs.map(() => out), params: p, paramShapes, macs: perPair * inputs.length };
}

function inferPooling(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 2);
  const plain = plainPoolingFields(spec["pooling_param"]);
  const f = plain === undefined ? Fields.of(spec, "pooling_param", ctx) : undefined;
  const input = inputs[0]!;
  expect4d(input, ctx);
  const fields = plain ?? checkedPoolingFields(f!, ctx);
  const last = LAST.poolingResult;
  if (last !== undefined && last.fields === fields && last.inputs === inputs && last.tops === tops) return last.inferred;
  const inferred = poolingResult(fields, input, tops, ctx);
  LAST.poolingResult = { fields, inputs, tops, inferred };
  return inferred;
}

/** Output shape and MACs of a pooling of `fields` over `input` (4-D). */
function poolingResult(fields: PoolingFields, input: Shape, tops: number, ctx: Context): Inferred {
  const [n, c, h, w] = input as [number, number, number, number];
  const { method, global, rounding, stride, pad, kernel } = fields;
  const [kernelH, kernelW] = kernel ?? [h, w];
  const [padH, padW] = pad;
  const [strideH, strideW] = stride;
  let hout: number;
  let wout: number;
  if (global) {
    hout = 1;
    wout = 1;
  } else {
    // Caffe's PoolingLayer::Reshape: ceil rounding, then clip so that the last
    // window starts strictly inside the (top-left) padded input.
    const round = rounding === "ceil" ? Math.ceil : Math.floor;
    hout = round((h + 2 * padH - kernelH) / strideH) + 1;
    wout = round((w + 2 * padW - kernelW) / strideW) + 1;
    if (padH !== 0 || padW !== 0) {
      if ((hout - 1) * strideH >= h + padH) hout--;
      if ((wout - 1) * strideW >= w + padW) wout--;
    }
    if (hout <= 0 || wout <= 0 || kernelH > h + 2 * padH || kernelW > w + 2 * padW) {
      invalid(ctx, `pooling kernel ${kernelH}x${kernelW} does not fit the padded input ${h + 2 * padH}x${w + 2 * padW} (input ${fmt(input)})`);
    }
  }
  const out: Shape = [n, c, hout, wout];
  const params: PoolingParams = { method, kernelH, kernelW, strideH, strideW, padH, padW, global, rounding };
  return { outputShapes: tops === 2 ? [out, out] : [out], params, paramShapes: [], macs: size(out) * kernelH * kernelW };
}

/** The fields of a `pooling_param`, checked (`kernel` undefined: global pooling, over the whole input). */
interface PoolingFields {
  readonly method: "max" | "average";
  readonly global: boolean;
  readonly rounding: "ceil" | "floor";
  readonly stride: readonly [number, number];
  readonly pad: readonly [number, number];
  readonly kernel: readonly [number, number] | undefined;
}

/** {@link PoolingFields} through the checked field readers (their errors, their read-field records). */
function checkedPoolingFields(f: Fields, ctx: Context): PoolingFields {
  const methodName = f.enumName("pool", ["MAX", "AVE", "STOCHASTIC"], "MAX");
  if (methodName === "STOCHASTIC") throw new UnsupportedLayerError(`${where(ctx)}: pooling_param.pool STOCHASTIC is not supported`);
  const method = methodName === "MAX" ? "max" : "average";
  const global = f.bool("global_pooling", false);
  let rounding: "ceil" | "floor" = f.enumName("round_mode", ["CEIL", "FLOOR"], "CEIL") === "CEIL" ? "ceil" : "floor";
  // Forks (e.g. the ShuffleNet/MobileNet ones) spell it `ceil_mode: false`.
  if (f.has("ceil_mode")) {
    if (f.has("round_mode")) invalid(ctx, "pooling_param: give either round_mode or the fork field ceil_mode, not both");
    rounding = f.bool("ceil_mode", true) ? "ceil" : "floor";
  }
  const stride = spatialPool(f, "stride", 1, 1, ctx);
  const pad = spatialPool(f, "pad", 0, 0, ctx);
  if (global) {
    if (f.has("kernel_size") || f.has("kernel_h") || f.has("kernel_w")) {
      invalid(ctx, "pooling_param: with global_pooling the kernel size cannot be specified");
    }
    if (pad[0] !== 0 || pad[1] !== 0 || stride[0] !== 1 || stride[1] !== 1) {
      invalid(ctx, "pooling_param: with global_pooling only pad 0 and stride 1 are allowed");
    }
    return { method, global, rounding, stride, pad, kernel: undefined };
  }
  if (!f.has("kernel_size") && !f.has("kernel_h") && !f.has("kernel_w")) {
    invalid(ctx, "pooling_param.kernel_size (or kernel_h and kernel_w) is required");
  }
  const kernel = spatialPool(f, "kernel", undefined, 1, ctx);
  if (pad[0] >= kernel[0] || pad[1] >= kernel[1]) invalid(ctx, `pooling_param.pad ${pad[0]}x${pad[1]} must be smaller than the kernel ${kernel[0]}x${kernel[1]}`);
  return { method, global, rounding, stride, pad, kernel };
}

/**
 * {@link PoolingFields} of a message with only the fields the checked reader
 * reads (or ignores), each valid and given once (`pool` by name,
 * `global_pooling` and `ceil_mode` as booleans, no `round_mode`), as nearly
 * every prototxt has it: one walk over its keys. `undefined` for anything
 * else: the checked reader then gives the same fields, or the error, or the
 * warning. Records no field reads (every field is known).
 */
function plainPoolingFields(msg: unknown): PoolingFields | undefined {
  if (!isMessage(msg)) return undefined;
  let method: "max" | "average" = "max";
  let global = false;
  let rounding: "ceil" | "floor" = "ceil";
  let kernel: number | undefined;
  let kernelH: number | undefined;
  let kernelW: number | undefined;
  let stride: number | undefined;
  let strideH: number | undefined;
  let strideW: number | undefined;
  let pad: number | undefined;
  let padH: number | undefined;
  let padW: number | undefined;
  for (const key in msg) {
    const value: unknown = msg[key];
    if (value === undefined) return undefined;
    switch (key) {
      case "pool":
        if (value !== "MAX" && value !== "AVE") return undefined;
        method = value === "MAX" ? "max" : "average";
        break;
      case "global_pooling":
        if (typeof value !== "boolean") return undefined;
        global = value;
        break;
      case "ceil_mode":
        if (typeof value !== "boolean") return undefined;
        rounding = value ? "ceil" : "floor";
        break;
      case "kernel_size":
        if ((kernel = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "kernel_h":
        if ((kernelH = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "kernel_w":
        if ((kernelW = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "stride":
        if ((stride = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "stride_h":
        if ((strideH = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "stride_w":
        if ((strideW = plainInt(value, 1)) === undefined) return undefined;
        break;
      case "pad":
        if ((pad = plainInt(value, 0)) === undefined) return undefined;
        break;
      case "pad_h":
        if ((padH = plainInt(value, 0)) === undefined) return undefined;
        break;
      case "pad_w":
        if ((padW = plainInt(value, 0)) === undefined) return undefined;
        break;
      default:
        if (!IGNORED_FIELDS.has(key)) return undefined;
    }
  }
  const strides = plainSides(stride === undefined ? undefined : [stride, stride], strideH, strideW, 1);
  const pads = plainSides(pad === undefined ? undefined : [pad, pad], padH, padW, 0);
  const kernels = plainSides(kernel === undefined ? undefined : [kernel, kernel], kernelH, kernelW, 0);
  if (strides === undefined || pads === undefined || kernels === undefined) return undefined;
  const kernelGiven = kernel !== undefined || kernelH !== undefined;
  if (global ? kernelGiven || pads[0] !== 0 || pads[1] !== 0 || strides[0] !== 1 || strides[1] !== 1 : !kernelGiven || pads[0] >= kernels[0] || pads[1] >= kernels[1]) return undefined;
  const kernelOrWhole = global ? undefined : kernels;
  const last = LAST.pooling;
  if (
    last !== undefined &&
    last.method === method &&
    last.global === global &&
    last.rounding === rounding &&
    samePair(last.stride, strides) &&
    samePair(last.pad, pads) &&
    (last.kernel === undefined ? kernelOrWhole === undefined : kernelOrWhole !== undefined && samePair(last.kernel, kernelOrWhole))
  ) {
    return last;
  }
  return (LAST.pooling = { method, global, rounding, stride: strides, pad: pads, kernel: kernelOrWhole });
}

function samePair(a: readonly [number, number], b: readonly [number, number]): boolean {
  return Object.is(a[0], b[0]) && Object.is(a[1], b[1]);
}

/** Pooling's singular `<name>` or `<name>_h`/`<name>_w`. */
function spatialPool(f: Fields, name: string, fallback: number | undefined, min: number, ctx: Context): [number, number] {
  const h = name === "kernel" ? "kernel_h" : name === "stride" ? "stride_h" : name === "pad" ? "pad_h" : `${name}_h`;
  const w = name === "kernel" ? "kernel_w" : name === "stride" ? "stride_w" : name === "pad" ? "pad_w" : `${name}_w`;
  const single = name === "kernel" ? "kernel_size" : name;
  if (f.has(h) || f.has(w)) {
    if (f.has(single)) invalid(ctx, `pooling_param: give either ${single} or ${h}/${w}, not both`);
    if (!f.has(h) || !f.has(w)) invalid(ctx, `pooling_param.${h} and ${w} must be given together`);
    return [f.int(h, undefined, min), f.int(w, undefined, min)];
  }
  const v = f.int(single, fallback, min);
  return [v, v];
}

function inferInnerProduct(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "inner_product_param", ctx);
  if (!f.has("num_output")) invalid(ctx, "inner_product_param.num_output is required");
  const numOutput = f.int("num_output", undefined, 1);
  const biasTerm = f.bool("bias_term", true);
  const transpose = f.bool("transpose", false);
  const input = inputs[0]!;
  const axis = canonicalAxis(f.int("axis", 1), input.length, "inner_product_param.axis", ctx);
  const outer = size(input.slice(0, axis));
  const k = size(input.slice(axis));
  const out: Shape = [...input.slice(0, axis), numOutput];
  const weight: Shape = transpose ? [k, numOutput] : [numOutput, k];
  const params: InnerProductParams = transpose ? { numOutput, biasTerm, axis, transpose } : { numOutput, biasTerm, axis };
  return { outputShapes: [out], params, paramShapes: biasTerm ? [weight, [numOutput]] : [weight], macs: outer * k * numOutput };
}

function channels(shape: Shape): number {
  return shape.length > 1 ? shape[1]! : 1;
}

function inferLRN(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "lrn_param", ctx);
  const localSize = f.int("local_size", 5, 1);
  if (localSize % 2 === 0) invalid(ctx, `lrn_param.local_size must be odd, got ${localSize}`);
  const region = f.enumName("norm_region", ["ACROSS_CHANNELS", "WITHIN_CHANNEL"], "ACROSS_CHANNELS") === "ACROSS_CHANNELS" ? "across_channels" : "within_channel";
  const input = inputs[0]!;
  expect4d(input, ctx);
  const params: LRNParams = { localSize, alpha: f.number("alpha", 1), beta: f.number("beta", 0.75), k: f.number("k", 1), region };
  const window = region === "across_channels" ? localSize : localSize * localSize;
  return { outputShapes: [input], params, paramShapes: [], macs: size(input) * window };
}

function inferConcat(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, Infinity, 1, 1);
  const f = Fields.of(spec, "concat_param", ctx);
  if (f.has("axis") && f.has("concat_dim")) invalid(ctx, "concat_param: give either axis or the legacy concat_dim, not both");
  const first = inputs[0]!;
  const axis = f.has("concat_dim")
    ? f.int("concat_dim", undefined, 0)
    : canonicalAxis(f.int("axis", 1), first.length, "concat_param.axis", ctx);
  if (axis >= first.length) invalid(ctx, `concat_param.concat_dim ${axis} is out of range for a ${first.length}-D input`);
  const out = [...first];
  for (let i = 1; i < inputs.length; i++) {
    const s = inputs[i]!;
    if (s.length !== first.length) invalid(ctx, `bottom ${i} has shape ${fmt(s)}, but bottom 0 has ${fmt(first)}: all must have the same number of axes`);
    for (let a = 0; a < s.length; a++) {
      if (a === axis) continue;
      if (s[a] !== first[a]) {
        invalid(ctx, `shape mismatch: bottom ${i} ${fmt(s)} differs from bottom 0 ${fmt(first)} on axis ${a} (only the concat axis ${axis} may differ)`);
      }
    }
    out[axis]! += s[axis]!;
  }
  const params: ConcatParams = { axis };
  return { outputShapes: [out], params, paramShapes: [], macs: 0 };
}

function inferEltwise(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 2, Infinity, 1, 1);
  const f = Fields.of(spec, "eltwise_param", ctx);
  const opName = f.enumName("operation", ["PROD", "SUM", "MAX"], "SUM");
  const operation = opName === "PROD" ? "prod" : opName === "SUM" ? "sum" : "max";
  const coeff = f.numbers("coeff");
  if (coeff.length > 0 && operation !== "sum") invalid(ctx, "eltwise_param.coeff is only allowed with operation SUM");
  if (coeff.length > 0 && coeff.length !== inputs.length) {
    invalid(ctx, `eltwise_param.coeff has ${coeff.length} values for ${inputs.length} bottoms; give one per bottom or none`);
  }
  const first = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) {
    if (!sameShape(inputs[i]!, first)) invalid(ctx, `shape mismatch: bottom ${i} ${fmt(inputs[i]!)} differs from bottom 0 ${fmt(first)}`);
  }
  const params: EltwiseParams = { operation, coeffs: coeff.length > 0 ? coeff : inputs.map(() => 1) };
  return { outputShapes: [first], params, paramShapes: [], macs: size(first) * (inputs.length - 1) };
}

function inferBatchNorm(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "batch_norm_param", ctx);
  const input = inputs[0]!;
  const c = channels(input);
  const params: BatchNormParams = { eps: f.number("eps", 1e-5) };
  return { outputShapes: [input], params, paramShapes: [[c], [c], [1]], macs: size(input) };
}

/** Scale and Bias share their shape rule: a blob of `bottom[axis … axis+num_axes)` or a second bottom of that shape. */
function broadcastShape(f: Fields, inputs: Shape[], ctx: Context, paramName: string): { axis: number; shape: Shape } {
  const input = inputs[0]!;
  if (inputs.length === 2) {
    const other = inputs[1]!;
    const axisRaw = f.int("axis", 1);
    // A scalar second bottom may use axis = ndim; otherwise a canonical axis.
    const axis = other.length === 0 ? Math.min(axisRaw < 0 ? axisRaw + input.length : axisRaw, input.length) : canonicalAxis(axisRaw, input.length, `${paramName}.axis`, ctx);
    const span = input.slice(axis, axis + other.length);
    if (!sameShape(span, other)) {
      invalid(ctx, `shape mismatch: bottom 1 ${fmt(other)} must equal dimensions ${axis}… of bottom 0 ${fmt(input)}`);
    }
    return { axis, shape: other };
  }
  const numAxes = f.int("num_axes", 1, -1);
  const axisRaw = f.int("axis", 1);
  const axis = numAxes === 0 && (axisRaw === input.length || axisRaw === -input.length - 1)
    ? input.length
    : canonicalAxis(axisRaw, input.length, `${paramName}.axis`, ctx);
  const end = numAxes === -1 ? input.length : axis + numAxes;
  if (end > input.length) invalid(ctx, `${paramName}: axis ${axis} + num_axes ${numAxes} exceeds the ${input.length} input axes`);
  return { axis, shape: input.slice(axis, end) };
}

function inferScale(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 2, 1, 1);
  const f = Fields.of(spec, "scale_param", ctx);
  const biasTerm = f.bool("bias_term", false);
  const { axis, shape } = broadcastShape(f, inputs, ctx, "scale_param");
  const paramShapes: Shape[] = [];
  if (inputs.length === 1) paramShapes.push(shape);
  if (biasTerm) paramShapes.push(shape);
  const params: ScaleParams = { biasTerm, axis };
  return { outputShapes: [inputs[0]!], params, paramShapes, macs: size(inputs[0]!) };
}

function inferBias(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 2, 1, 1);
  const f = Fields.of(spec, "bias_param", ctx);
  const { axis, shape } = broadcastShape(f, inputs, ctx, "bias_param");
  return { outputShapes: [inputs[0]!], params: { axis }, paramShapes: inputs.length === 1 ? [shape] : [], macs: size(inputs[0]!) };
}

function inferSoftmax(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "softmax_param", ctx);
  const input = inputs[0]!;
  const params: SoftmaxParams = { axis: canonicalAxis(f.int("axis", 1), input.length, "softmax_param.axis", ctx) };
  return { outputShapes: [input], params, paramShapes: [], macs: size(input) };
}

function inferDropout(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "dropout_param", ctx);
  const ratio = f.number("dropout_ratio", 0.5);
  if (ratio < 0 || ratio >= 1) invalid(ctx, `dropout_param.dropout_ratio must be in [0, 1), got ${ratio}`);
  const params: DropoutParams = { ratio };
  return { outputShapes: [inputs[0]!], params, paramShapes: [], macs: size(inputs[0]!) };
}

function inferReLU(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const slope = Fields.of(spec, "relu_param", ctx).number("negative_slope", 0);
  return { outputShapes: [inputs[0]!], params: slope === 0 ? {} : { negativeSlope: slope }, paramShapes: [], macs: size(inputs[0]!) };
}

function inferPReLU(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const channelShared = Fields.of(spec, "prelu_param", ctx).bool("channel_shared", false);
  const input = inputs[0]!;
  if (input.length < 2) invalid(ctx, `expects an input with a channel axis, got ${fmt(input)}`);
  return {
    outputShapes: [input],
    params: { channelShared },
    paramShapes: [channelShared ? [1] : [channels(input)]],
    macs: size(input),
  };
}

function inferElementwise(params: LayerParams) {
  return (_spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred => {
    expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
    return { outputShapes: [inputs[0]!], params, paramShapes: [], macs: size(inputs[0]!) };
  };
}

function inferELU(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  return inferElementwise({ alpha: Fields.of(spec, "elu_param", ctx).number("alpha", 1) })(spec, inputs, tops, ctx);
}

function inferPower(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  const f = Fields.of(spec, "power_param", ctx);
  const params = { power: f.number("power", 1), scale: f.number("scale", 1), shift: f.number("shift", 0) };
  return inferElementwise(params)(spec, inputs, tops, ctx);
}

function inferSplit(_spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, Infinity);
  const input = inputs[0]!;
  return { outputShapes: Array.from({ length: tops }, () => input), params: {}, paramShapes: [], macs: 0 };
}

function inferFlatten(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "flatten_param", ctx);
  const input = inputs[0]!;
  const axis = canonicalAxis(f.int("axis", 1), input.length, "flatten_param.axis", ctx);
  const endAxis = canonicalAxis(f.int("end_axis", -1), input.length, "flatten_param.end_axis", ctx);
  if (endAxis < axis) invalid(ctx, `flatten_param.end_axis ${endAxis} is before axis ${axis}`);
  const out: Shape = [...input.slice(0, axis), size(input.slice(axis, endAxis + 1)), ...input.slice(endAxis + 1)];
  const params: FlattenParams = { axis, endAxis };
  return { outputShapes: [out], params, paramShapes: [], macs: 0 };
}

function inferReshape(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "reshape_param", ctx);
  const dims = f.message("shape").ints("dim");
  const input = inputs[0]!;
  const ndim = input.length;
  const axisRaw = f.int("axis", 0);
  if (axisRaw < -ndim - 1 || axisRaw > ndim) invalid(ctx, `reshape_param.axis ${axisRaw} is out of range for a ${ndim}-D input`);
  const start = axisRaw < 0 ? ndim + axisRaw + 1 : axisRaw;
  const numAxes = f.int("num_axes", -1, -1);
  const end = numAxes === -1 ? ndim : start + numAxes;
  if (end > ndim) invalid(ctx, `reshape_param: axis ${start} + num_axes ${numAxes} exceeds the ${ndim} input axes`);
  const middle: number[] = [];
  let inferred = -1;
  let known = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i]!;
    if (d === 0) {
      if (start + i >= ndim) invalid(ctx, `reshape_param.shape.dim[${i}] = 0 copies input axis ${start + i}, which does not exist in ${fmt(input)}`);
      middle.push(input[start + i]!);
      known *= input[start + i]!;
    } else if (d === -1) {
      if (inferred !== -1) invalid(ctx, "reshape_param.shape: at most one dimension may be -1");
      inferred = i;
      middle.push(-1);
    } else if (d < -1) {
      invalid(ctx, `reshape_param.shape.dim[${i}] = ${d} is invalid (must be ≥ -1)`);
    } else {
      middle.push(d);
      known *= d;
    }
  }
  const out = [...input.slice(0, start), ...middle, ...input.slice(end)];
  const total = size(input);
  const fixed = known * size(input.slice(0, start)) * size(input.slice(end));
  if (inferred !== -1) {
    if (fixed === 0 || total % fixed !== 0) {
      invalid(ctx, `reshape_param: cannot infer the -1 dimension: input ${fmt(input)} has ${total} elements, not a multiple of ${fixed}`);
    }
    out[start + inferred] = total / fixed;
  }
  if (size(out) !== total) invalid(ctx, `reshape_param: output ${fmt(out)} has ${size(out)} elements but input ${fmt(input)} has ${total}`);
  // The resolved output shape: the executor then needs no axis/num_axes.
  const params: ReshapeParams = { dims: out };
  return { outputShapes: [out], params, paramShapes: [], macs: 0 };
}

function inferInput(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 0, 0, 1, Infinity);
  const shapes = Fields.of(spec, "input_param", ctx).messages("shape");
  if (shapes.length !== 1 && shapes.length !== tops) {
    invalid(ctx, `input_param.shape must be given once or once per top: ${tops} top(s), ${shapes.length} shape(s)`);
  }
  const outputShapes: Shape[] = [];
  for (let t = 0; t < tops; t++) {
    const dims = shapes[shapes.length === 1 ? 0 : t]!.ints("dim");
    if (dims.length === 0) invalid(ctx, `input_param.shape for top ${t} has no dim`);
    for (const d of dims) if (d <= 0) invalid(ctx, `input_param.shape dimensions must be positive, got ${fmt(dims)}`);
    // Batch forced to 1 (deploy files often say 10).
    outputShapes.push(dims.length >= 2 ? [1, ...dims.slice(1)] : dims);
  }
  const params: InputParams = { shapes: outputShapes };
  return { outputShapes, params, paramShapes: [], macs: 0 };
}

// ---------------------------------------------------------------------------
// Data-source layers of train/test nets: imported as Input layers
// ---------------------------------------------------------------------------

/**
 * `transform_param`'s effect on an image blob: `crop_size` replaces height and
 * width; `force_gray` / `force_color` fix the channels.
 */
function transformed(spec: CaffeLayerSpec, ctx: Context, channels: number, height: number | undefined, width: number | undefined): { c: number; h: number | undefined; w: number | undefined; cropped: boolean } {
  const t = Fields.of(spec, "transform_param", ctx);
  const crop = t.int("crop_size", 0, 0);
  let c = channels;
  if (t.bool("force_gray", false)) c = 1;
  if (t.bool("force_color", false)) c = 3;
  if (crop > 0) return { c, h: crop, w: crop, cropped: true };
  return { c, h: height, w: width, cropped: false };
}

/** The label top of Data/ImageData/WindowData/MemoryData: one label per image, `[1]` at batch 1. */
function imageDataOutputs(ctx: Context, tops: number, image: Shape): Inferred {
  expectCounts(ctx, 0, tops, 0, 0, 1, 2);
  const outputShapes: Shape[] = tops === 2 ? [image, [1]] : [image];
  const params: InputParams = { shapes: outputShapes };
  return { outputShapes, params, paramShapes: [], macs: 0, type: "Input" };
}

function noShape(ctx: Context, where: string): never {
  return invalid(
    ctx,
    `the data layer's blob shape is not in the prototxt (${where}); use the deploy prototxt (with an Input layer or input_dim), or give transform_param.crop_size`,
  );
}

/**
 * Caffe `Data` (LMDB/LevelDB): the image size lives in the database, so the
 * shape is known only with `transform_param.crop_size`: `[1, 3, crop, crop]`
 * (3 channels assumed, as in the ImageNet databases; `force_gray` gives 1).
 */
function inferDataLayer(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 0, 0, 1, 2);
  const t = transformed(spec, ctx, 3, undefined, undefined);
  if (!t.cropped) noShape(ctx, "Data reads it from data_param.source, and transform_param has no crop_size");
  return imageDataOutputs(ctx, tops, [1, t.c, t.h!, t.w!]);
}

/** Caffe `ImageData`: `is_color` channels, `new_height`×`new_width` or the crop. */
function inferImageData(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 0, 0, 1, 2);
  const f = Fields.of(spec, "image_data_param", ctx);
  const newH = f.int("new_height", 0, 0);
  const newW = f.int("new_width", 0, 0);
  const t = transformed(spec, ctx, f.bool("is_color", true) ? 3 : 1, newH > 0 ? newH : undefined, newW > 0 ? newW : undefined);
  if (t.h === undefined || t.w === undefined) noShape(ctx, "ImageData without new_height/new_width reads it from the images");
  return imageDataOutputs(ctx, tops, [1, t.c, t.h, t.w]);
}

/** Caffe `WindowData`: 3-channel windows of `crop_size` (transform_param, or the legacy window_data_param field). */
function inferWindowData(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 0, 0, 1, 2);
  const legacy = Fields.of(spec, "window_data_param", ctx).int("crop_size", 0, 0);
  const t = transformed(spec, ctx, 3, legacy > 0 ? legacy : undefined, legacy > 0 ? legacy : undefined);
  if (t.h === undefined || t.w === undefined) noShape(ctx, "WindowData has no crop_size");
  return imageDataOutputs(ctx, tops, [1, t.c, t.h, t.w]);
}

/** Caffe `MemoryData`: `memory_data_param { channels height width }` (crop applied). */
function inferMemoryData(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 0, 0, 1, 2);
  const f = Fields.of(spec, "memory_data_param", ctx);
  const t = transformed(spec, ctx, f.int("channels", undefined, 1), f.int("height", undefined, 1), f.int("width", undefined, 1));
  return imageDataOutputs(ctx, tops, [1, t.c, t.h!, t.w!]);
}

/** Caffe `DummyData`: `shape` (once, or once per top) or the legacy `num`/`channels`/`height`/`width`. */
function inferDummyData(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 0, 0, 1, Infinity);
  const f = Fields.of(spec, "dummy_data_param", ctx);
  const shapes = f.messages("shape");
  const outputShapes: Shape[] = [];
  if (shapes.length > 0) {
    if (shapes.length !== 1 && shapes.length !== tops) invalid(ctx, `dummy_data_param.shape must be given once or once per top: ${tops} top(s), ${shapes.length} shape(s)`);
    for (let t = 0; t < tops; t++) {
      const dims = shapes[shapes.length === 1 ? 0 : t]!.ints("dim", 1);
      if (dims.length === 0) invalid(ctx, `dummy_data_param.shape for top ${t} has no dim`);
      outputShapes.push(dims.length >= 2 ? [1, ...dims.slice(1)] : [1]);
    }
  } else {
    const legacy = ["num", "channels", "height", "width"].map((k) => f.ints(k, 1));
    if (legacy.every((l) => l.length === 0)) invalid(ctx, "dummy_data_param needs shape (or num/channels/height/width)");
    for (let t = 0; t < tops; t++) {
      const pick = (l: number[]): number => (l.length === 0 ? 1 : l[l.length === 1 ? 0 : t] ?? invalid(ctx, `dummy_data_param: give one value per top for num/channels/height/width`));
      outputShapes.push([1, pick(legacy[1]!), pick(legacy[2]!), pick(legacy[3]!)]);
    }
  }
  const params: InputParams = { shapes: outputShapes };
  return { outputShapes, params, paramShapes: [], macs: 0, type: "Input" };
}

/**
 * Types Caffe knows whose output cannot be inferred from the prototxt alone,
 * with the reason given in the error (an {@link InvalidModelError} for data
 * layers, an {@link UnsupportedLayerError} for user code).
 */
function unimportable(spec: CaffeLayerSpec, ctx: Context): never {
  if (spec.type === "HDF5Data") noShape(ctx, "HDF5Data reads it from the HDF5 files listed in hdf5_data_param.source");
  if (spec.type === "Python") {
    const p = isMessage(spec["python_param"]) ? spec["python_param"] : {};
    const what = typeof p["module"] === "string" ? ` (python_param: module '${p["module"]}', layer '${String(p["layer"] ?? "?")}')` : "";
    throw new UnsupportedLayerError(`${where(ctx)}: Python layers run user code${what}, so their output shapes are unknown; they are not supported`);
  }
  throw new UnsupportedLayerError(
    `${where(ctx)}: layer type '${spec.type}' is not supported (supported: ${SUPPORTED_CAFFE_LAYER_TYPES.join(", ")})`,
  );
}

// ---------------------------------------------------------------------------
// Loss and metric layers of train/test nets
// ---------------------------------------------------------------------------

/** Caffe's loss layers: a scalar loss (`[]`), one MAC per element of bottom 0. */
function inferLoss(minBottoms: number, maxBottoms: number) {
  return (_spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred => {
    expectCounts(ctx, inputs.length, tops, minBottoms, maxBottoms, 1, 1);
    return { outputShapes: [[]], params: {}, paramShapes: [], macs: size(inputs[0]!) };
  };
}

/** Outer and inner counts around a class axis, with a check that the labels match them. */
function labelled(inputs: Shape[], axis: number, ctx: Context, field: string): { outer: number; inner: number; classes: number } {
  const input = inputs[0]!;
  const a = canonicalAxis(axis, input.length, field, ctx);
  const outer = size(input.slice(0, a));
  const inner = size(input.slice(a + 1));
  const labels = inputs[1]!;
  if (size(labels) !== outer * inner) {
    invalid(ctx, `label bottom ${fmt(labels)} must have ${outer * inner} elements (one per prediction of ${fmt(input)} along axis ${a})`);
  }
  return { outer, inner, classes: input[a]! };
}

/** Caffe `SoftmaxWithLoss`: scalar loss, optional second top with the probabilities. */
function inferSoftmaxWithLoss(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 2, 3, 1, 2);
  const axis = Fields.of(spec, "softmax_param", ctx).int("axis", 1);
  labelled(inputs, axis, ctx, "softmax_param.axis");
  const outputShapes: Shape[] = tops === 2 ? [[], inputs[0]!] : [[]];
  return { outputShapes, params: { axis }, paramShapes: [], macs: size(inputs[0]!) };
}

/** Caffe `Accuracy`: scalar accuracy, optional second top with per-class accuracies `[classes]`. */
function inferAccuracy(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 2, 2, 1, 2);
  const f = Fields.of(spec, "accuracy_param", ctx);
  const topK = f.int("top_k", 1, 1);
  const axis = f.int("axis", 1);
  const { classes } = labelled(inputs, axis, ctx, "accuracy_param.axis");
  if (topK > classes) invalid(ctx, `accuracy_param.top_k ${topK} exceeds the ${classes} classes`);
  const outputShapes: Shape[] = tops === 2 ? [[], [classes]] : [[]];
  return { outputShapes, params: { topK, axis }, paramShapes: [], macs: size(inputs[0]!) };
}

// ---------------------------------------------------------------------------
// Slice, Crop, ArgMax, Silence, Reduction, Tile and simple element-wise types
// ---------------------------------------------------------------------------

/** Caffe `Slice`: splits bottom along `axis` at `slice_point`s (or into equal parts), one top per part. */
function inferSlice(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, Infinity);
  const f = Fields.of(spec, "slice_param", ctx);
  const input = inputs[0]!;
  if (f.has("axis") && f.has("slice_dim")) invalid(ctx, "slice_param: give either axis or the legacy slice_dim, not both");
  const axis = f.has("slice_dim") ? f.int("slice_dim", undefined, 0) : canonicalAxis(f.int("axis", 1), input.length, "slice_param.axis", ctx);
  if (axis >= input.length) invalid(ctx, `slice_param.slice_dim ${axis} is out of range for a ${input.length}-D input`);
  const dim = input[axis]!;
  const points = f.ints("slice_point", 1);
  const bounds: number[] = [0];
  if (points.length > 0) {
    if (points.length !== tops - 1) invalid(ctx, `slice_param.slice_point has ${points.length} values for ${tops} tops; give one fewer than the tops`);
    for (const p of points) {
      if (p <= bounds[bounds.length - 1]! || p >= dim) invalid(ctx, `slice_param.slice_point ${fmt(points)} must increase strictly within (0, ${dim}) on axis ${axis} of ${fmt(input)}`);
      bounds.push(p);
    }
  } else {
    if (dim % tops !== 0) invalid(ctx, `axis ${axis} of ${fmt(input)} (size ${dim}) does not split evenly into ${tops} tops; give slice_point`);
    for (let t = 1; t < tops; t++) bounds.push((dim / tops) * t);
  }
  bounds.push(dim);
  const outputShapes: Shape[] = [];
  for (let t = 0; t < tops; t++) {
    const out = [...input];
    out[axis] = bounds[t + 1]! - bounds[t]!;
    outputShapes.push(out);
  }
  return { outputShapes, params: { axis, slicePoints: bounds.slice(1, -1) }, paramShapes: [], macs: 0 };
}

/**
 * Caffe `Crop`: bottom 0 cut to bottom 1's size on the axes from `axis`
 * (default 2) on, at `offset` (none: 0; one: for every cropped axis; else one
 * per cropped axis). Params keep the resolved per-axis offsets.
 */
function inferCrop(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 2, 2, 1, 1);
  const f = Fields.of(spec, "crop_param", ctx);
  const [input, reference] = inputs as [Shape, Shape];
  if (input.length !== reference.length) invalid(ctx, `bottom 0 ${fmt(input)} and bottom 1 ${fmt(reference)} must have the same number of axes`);
  const axis = canonicalAxis(f.int("axis", 2), input.length, "crop_param.axis", ctx);
  const given = f.ints("offset", 0);
  const cropped = input.length - axis;
  if (given.length > 1 && given.length !== cropped) {
    invalid(ctx, `crop_param.offset has ${given.length} values; give none, one, or one per cropped axis (${cropped})`);
  }
  const out = [...input];
  const offsets: number[] = [];
  for (let a = axis; a < input.length; a++) {
    const offset = given.length === 0 ? 0 : given.length === 1 ? given[0]! : given[a - axis]!;
    if (offset + reference[a]! > input[a]!) {
      invalid(ctx, `crop on axis ${a}: offset ${offset} + size ${reference[a]} exceeds bottom 0's ${input[a]} (${fmt(input)} cropped to ${fmt(reference)})`);
    }
    out[a] = reference[a]!;
    offsets.push(offset);
  }
  return { outputShapes: [out], params: { axis, offsets }, paramShapes: [], macs: 0 };
}

/** Caffe `ArgMax`: `[N, 1 or 2, top_k]` without `axis`; with `axis`, that axis becomes `top_k`. */
function inferArgMax(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "argmax_param", ctx);
  const input = inputs[0]!;
  const topK = f.int("top_k", 1, 1);
  const outMaxVal = f.bool("out_max_val", false);
  let out: Shape;
  let axis: number | undefined;
  if (f.has("axis")) {
    axis = canonicalAxis(f.int("axis"), input.length, "argmax_param.axis", ctx);
    if (topK > input[axis]!) invalid(ctx, `argmax_param.top_k ${topK} exceeds axis ${axis} of ${fmt(input)}`);
    out = input.map((d, i) => (i === axis ? topK : d));
  } else {
    if (topK > size(input.slice(1))) invalid(ctx, `argmax_param.top_k ${topK} exceeds the ${size(input.slice(1))} values per item`);
    out = [input[0] ?? 1, outMaxVal ? 2 : 1, topK];
  }
  return { outputShapes: [out], params: axis === undefined ? { topK, outMaxVal } : { topK, outMaxVal, axis }, paramShapes: [], macs: size(input) };
}

/** Caffe `Silence`: consumes its bottoms, produces nothing. */
function inferSilence(_spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, Infinity, 0, 0);
  return { outputShapes: [], params: {}, paramShapes: [], macs: 0 };
}

/** Caffe `Reduction`: SUM/ASUM/SUMSQ/MEAN over the axes from `axis` (default 0) on; output `bottom[0:axis]`. */
function inferReduction(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "reduction_param", ctx);
  const input = inputs[0]!;
  const operation = f.enumName("operation", ["", "SUM", "ASUM", "SUMSQ", "MEAN"], "SUM");
  if (operation === "") invalid(ctx, "reduction_param.operation must be SUM, ASUM, SUMSQ or MEAN");
  const axis = canonicalAxis(f.int("axis", 0), input.length, "reduction_param.axis", ctx);
  return { outputShapes: [input.slice(0, axis)], params: { operation: operation.toLowerCase(), axis, coeff: f.number("coeff", 1) }, paramShapes: [], macs: size(input) };
}

/** Caffe `Tile`: repeats `axis` (default 1) `tiles` times. */
function inferTile(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "tile_param", ctx);
  const input = inputs[0]!;
  const axis = canonicalAxis(f.int("axis", 1), input.length, "tile_param.axis", ctx);
  const tiles = f.int("tiles", undefined, 1);
  const out = input.map((d, i) => (i === axis ? d * tiles : d));
  return { outputShapes: [out], params: { axis, tiles }, paramShapes: [], macs: 0 };
}

function inferThreshold(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  return inferElementwise({ threshold: Fields.of(spec, "threshold_param", ctx).number("threshold", 0) })(spec, inputs, tops, ctx);
}

/** Caffe `Exp` and `Log`: `base^(shift + scale·x)` / `log_base(shift + scale·x)` (base -1 means e). */
function inferExpLog(field: string) {
  return (spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred => {
    const f = Fields.of(spec, field, ctx);
    const base = f.number("base", -1);
    if (base !== -1 && !(base > 0)) invalid(ctx, `${field}.base must be positive or -1 (e), got ${base}`);
    return inferElementwise({ base, scale: f.number("scale", 1), shift: f.number("shift", 0) })(spec, inputs, tops, ctx);
  };
}

function inferClip(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  const f = Fields.of(spec, "clip_param", ctx);
  const min = f.number("min");
  const max = f.number("max");
  if (min > max) invalid(ctx, `clip_param.min ${min} is above clip_param.max ${max}`);
  return inferElementwise({ min, max })(spec, inputs, tops, ctx);
}

/** Swish: x·sigmoid(beta·x) (`swish_param.beta`, default 1). */
function inferSwish(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  const beta = Fields.of(spec, "swish_param", ctx).number("beta", 1);
  return inferElementwise({ beta })(spec, inputs, tops, ctx);
}


// ---------------------------------------------------------------------------
// Layer types of Caffe forks (issue 14)
// ---------------------------------------------------------------------------

/** `ConvolutionDepthwise` (MobileNet / ShuffleNet forks): a Convolution with group = input channels. */
function inferConvolutionDepthwise(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expect4d(inputs[0] ?? [], ctx);
  const cin = inputs[0]![1]!;
  const f = Fields.of(spec, "convolution_param", ctx);
  const declared = f.int("group", cin, 1);
  if (declared !== cin && declared !== 1) invalid(ctx, `convolution_param.group ${declared} contradicts a depthwise convolution over ${cin} channels`);
  const asConv: CaffeLayerSpec = { ...spec, convolution_param: { ...(spec["convolution_param"] as CaffeMessage), group: cin } };
  const inferred = inferConvolution(asConv, inputs, tops, ctx, false);
  const read = ACCESSED.get(spec["convolution_param"] as CaffeMessage);
  markRead(read, "group");
  // no reads recorded for the copy: the plain reader (plainConvolutionParams) took it, knowing every field
  const convRead = ACCESSED.get(asConv["convolution_param"] as CaffeMessage) ?? Object.keys(asConv["convolution_param"] as CaffeMessage);
  for (const key of convRead) markRead(read, key);
  return inferred;
}

/** `Axpy` (SENet forks): bottoms a `[N, C, 1, 1]`, x and y `[N, C, H, W]`; top `a·x + y`. */
function inferAxpy(_spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 3, 3, 1, 1);
  const [a, x, y] = inputs as [Shape, Shape, Shape];
  if (!sameShape(x, y)) invalid(ctx, `bottoms x ${fmt(x)} and y ${fmt(y)} must have the same shape`);
  if (size(a) !== (x[0] ?? 1) * channels(x)) invalid(ctx, `bottom a ${fmt(a)} must hold one scale per channel of x ${fmt(x)}`);
  return { outputShapes: [x], params: {}, paramShapes: [], macs: size(x) };
}

/** The forks' `BN` type (caffe-segnet and others): per-channel scale and shift blobs `[1, C, 1, 1]`. */
function inferForkBN(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const input = inputs[0]!;
  expect4d(input, ctx);
  Fields.of(spec, "bn_param", ctx);
  const c = channels(input);
  return { outputShapes: [input], params: {}, paramShapes: [[1, c, 1, 1], [1, c, 1, 1]], macs: size(input) };
}

/**
 * `Upsample`: YOLO-style nearest upsampling (`upsample_param { scale }`, one
 * bottom) or SegNet's max unpooling (bottoms: pooled data and its mask;
 * `upsample_h`/`upsample_w`, else `scale`).
 */
function inferUpsample(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 2, 1, 1);
  const f = Fields.of(spec, "upsample_param", ctx);
  const input = inputs[0]!;
  expect4d(input, ctx);
  const [n, c, h, w] = input as [number, number, number, number];
  let height: number;
  let width: number;
  if (f.has("upsample_h") || f.has("upsample_w")) {
    height = f.int("upsample_h", undefined, 1);
    width = f.int("upsample_w", undefined, 1);
  } else {
    const scale = f.int("scale", 2, 1);
    height = f.int("scale_h", scale, 1) * h;
    width = f.int("scale_w", scale, 1) * w;
  }
  if (inputs.length === 2 && !sameShape(inputs[1]!, input)) invalid(ctx, `the mask bottom ${fmt(inputs[1]!)} must have the data's shape ${fmt(input)}`);
  if (inputs.length === 1 && (height % h !== 0 || width % w !== 0)) invalid(ctx, `nearest upsampling needs an integer factor: ${h}x${w} → ${height}x${width}`);
  const out: Shape = [n, c, height, width];
  return { outputShapes: [out], params: { mode: "nearest", height, width }, paramShapes: [], macs: size(out) };
}

/** `ShuffleChannel` (ShuffleNet forks): channel shuffle in `shuffle_channel_param.group` groups. */
function inferShuffleChannel(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const group = Fields.of(spec, "shuffle_channel_param", ctx).int("group", 1, 1);
  const input = inputs[0]!;
  if (channels(input) % group !== 0) invalid(ctx, `shuffle_channel_param.group ${group} does not divide the ${channels(input)} channels`);
  return { outputShapes: [input], params: { group }, paramShapes: [], macs: 0 };
}

/** `Permute` (SSD): `permute_param.order` (missing axes keep their order). */
function inferPermute(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const order = Fields.of(spec, "permute_param", ctx).ints("order", 0);
  const input = inputs[0]!;
  const full = [...order];
  for (let a = 0; a < input.length; a++) if (!full.includes(a)) full.push(a);
  if (full.length !== input.length || new Set(full).size !== full.length || full.some((a) => a >= input.length)) {
    invalid(ctx, `permute_param.order [${order.join(",")}] is not a permutation of the ${input.length} axes of ${fmt(input)}`);
  }
  return { outputShapes: [full.map((a) => input[a]!)], params: { order: full }, paramShapes: [], macs: 0 };
}

/** `Normalize` (SSD): L2 normalisation with a learned scale (`[C]`, or `[1]` when channel_shared). */
function inferNormalize(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 1, 1, 1, 1);
  const f = Fields.of(spec, "norm_param", ctx);
  const acrossSpatial = f.bool("across_spatial", true);
  const channelShared = f.bool("channel_shared", true);
  const eps = f.number("eps", 1e-10);
  const input = inputs[0]!;
  return { outputShapes: [input], params: { acrossSpatial, channelShared, eps }, paramShapes: [channelShared ? [1] : [channels(input)]], macs: 2 * size(input) };
}

/**
 * `PriorBox` (SSD): `[1, 2, H·W·priors·4]` for a `H×W` feature map, priors =
 * min sizes × aspect ratios (1, each ratio, and its inverse with `flip`) +
 * max sizes, as Caffe-SSD counts them.
 */
function inferPriorBox(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 2, 2, 1, 1);
  const f = Fields.of(spec, "prior_box_param", ctx);
  const minSizes = f.numbers("min_size");
  if (minSizes.length === 0) invalid(ctx, "prior_box_param.min_size is required");
  const maxSizes = f.numbers("max_size");
  if (maxSizes.length > 0 && maxSizes.length !== minSizes.length) invalid(ctx, `prior_box_param: ${maxSizes.length} max_size for ${minSizes.length} min_size`);
  const flip = f.bool("flip", true);
  const ratios = [1];
  for (const r of f.numbers("aspect_ratio")) {
    if (ratios.some((x) => Math.abs(x - r) < 1e-6)) continue;
    ratios.push(r);
    if (flip) ratios.push(1 / r);
  }
  for (const field of ["clip", "variance", "img_size", "img_h", "img_w", "step", "step_h", "step_w", "offset"]) f.has(field);
  const priors = ratios.length * minSizes.length + maxSizes.length;
  const feature = inputs[0]!;
  expect4d(feature, ctx);
  const out: Shape = [1, 2, feature[2]! * feature[3]! * priors * 4];
  return { outputShapes: [out], params: { priors, minSizes, maxSizes, aspectRatios: ratios }, paramShapes: [], macs: 0 };
}

/** `DetectionOutput` (SSD): `[1, 1, keep_top_k, 7]` for planning (Caffe sizes it per query at run time). */
function inferDetectionOutput(spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context): Inferred {
  expectCounts(ctx, inputs.length, tops, 3, 4, 1, 1);
  const f = Fields.of(spec, "detection_output_param", ctx);
  for (const field of ["num_classes", "share_location", "background_label_id", "nms_param", "save_output_param", "code_type", "variance_encoded_in_target", "confidence_threshold", "eta"]) f.has(field);
  const nms = f.message("nms_param");
  for (const field of ["nms_threshold", "top_k", "eta"]) nms.has(field);
  const keep = f.int("keep_top_k", -1);
  const detections = keep > 0 ? keep : nms.int("top_k", 1, 1);
  const out: Shape = [1, 1, detections, 7];
  return {
    outputShapes: [out], params: { keepTopK: detections }, paramShapes: [], macs: size(inputs[0]!),
    warning: "DetectionOutput's output size depends on the detections of each query; planned at its maximum, keep_top_k = " + detections,
  };
}

type Inference = (spec: CaffeLayerSpec, inputs: Shape[], tops: number, ctx: Context) => Inferred;

/** Shape inference per supported Caffe layer type. */
const INFERENCE: ReadonlyMap<string, Inference> = new Map<string, Inference>([
  ["Input", inferInput],
  ["Convolution", (s, i, t, c) => inferConvolution(s, i, t, c, false)],
  ["Deconvolution", (s, i, t, c) => inferConvolution(s, i, t, c, true)],
  ["Pooling", inferPooling],
  ["InnerProduct", inferInnerProduct],
  ["LRN", inferLRN],
  ["ReLU", inferReLU],
  ["PReLU", inferPReLU],
  ["ELU", inferELU],
  ["Sigmoid", inferElementwise({})],
  ["TanH", inferElementwise({})],
  ["AbsVal", inferElementwise({})],
  ["BNLL", inferElementwise({})],
  ["Power", inferPower],
  ["Dropout", inferDropout],
  ["Concat", inferConcat],
  ["Eltwise", inferEltwise],
  ["BatchNorm", inferBatchNorm],
  ["Scale", inferScale],
  ["Bias", inferBias],
  ["Softmax", inferSoftmax],
  ["Split", inferSplit],
  ["Flatten", inferFlatten],
  ["Reshape", inferReshape],
  ["Slice", inferSlice],
  ["Crop", inferCrop],
  ["ArgMax", inferArgMax],
  ["Silence", inferSilence],
  ["Reduction", inferReduction],
  ["Tile", inferTile],
  ["Threshold", inferThreshold],
  ["Exp", inferExpLog("exp_param")],
  ["Log", inferExpLog("log_param")],
  ["Clip", inferClip],
  ["Swish", inferSwish],
  ["Data", inferDataLayer],
  ["ImageData", inferImageData],
  ["WindowData", inferWindowData],
  ["MemoryData", inferMemoryData],
  ["DummyData", inferDummyData],
  ["SoftmaxWithLoss", inferSoftmaxWithLoss],
  ["Accuracy", inferAccuracy],
  ["EuclideanLoss", inferLoss(2, 2)],
  ["SigmoidCrossEntropyLoss", inferLoss(2, 2)],
  ["HingeLoss", inferLoss(2, 2)],
  ["InfogainLoss", inferLoss(2, 3)],
  ["MultinomialLogisticLoss", inferLoss(2, 2)],
  ["ContrastiveLoss", inferLoss(3, 3)],
  // Caffe forks (issue 14)
  ["ConvolutionDepthwise", inferConvolutionDepthwise],
  ["Axpy", inferAxpy],
  ["BN", inferForkBN],
  ["Upsample", inferUpsample],
  ["ShuffleChannel", inferShuffleChannel],
  ["Permute", inferPermute],
  ["Normalize", inferNormalize],
  ["PriorBox", inferPriorBox],
  ["DetectionOutput", inferDetectionOutput],
]);

/** The Caffe layer types {@link networkFromCaffeNet} understands. */
export const SUPPORTED_CAFFE_LAYER_TYPES: readonly string[] = [...INFERENCE.keys()];

// ---------------------------------------------------------------------------
// The builder
// ---------------------------------------------------------------------------

/**
 * Builds Caffe's runtime network from a net description: reproduces
 * `Net::Init` (old-style input upgrade, TEST-phase filtering, split
 * insertion) and infers every blob shape at batch 1.
 *
 * The result lists, in runtime order: the `Input` layer (an old-style
 * top-level `input:` becomes an Input layer named `input`, first; explicit
 * Input layers keep their names), every declared layer admitted in the TEST
 * phase, and a `Split` layer right after each producer whose top (that
 * producer's version of the blob) is read by more than one later bottom,
 * named `<blob>_<producer>_<topIndex>_split` with tops
 * `<blob>_<producer>_<topIndex>_split_<i>`. `Layer.bottoms` are the rewired
 * names; `Layer.inputs` is the true dataflow (the last writer of each
 * bottom, so in-place layers chain). `network.inputs` are the Input layers'
 * tops; `network.outputs` the tensors no later layer reads.
 *
 * Supported types: {@link SUPPORTED_CAFFE_LAYER_TYPES} (Input, Convolution,
 * Deconvolution, Pooling, InnerProduct, LRN, ReLU, PReLU, ELU, Sigmoid, TanH,
 * AbsVal, BNLL, Power, Dropout, Concat, Eltwise, BatchNorm, Scale, Bias,
 * Softmax, Split, Flatten, Reshape, Slice, Crop, ArgMax, Silence, Reduction,
 * Tile, Threshold, Exp, Log, Clip, Swish; the data layers Data, ImageData,
 * WindowData, MemoryData, DummyData; the loss and metric layers
 * SoftmaxWithLoss, Accuracy, EuclideanLoss, SigmoidCrossEntropyLoss,
 * HingeLoss, InfogainLoss, MultinomialLogisticLoss, ContrastiveLoss).
 * Repeated caffe.proto fields may be given as arrays or, when single, as
 * scalars (`kernel_size: 3` or `[3]`). Training-only fields (`param { lr_mult
 * }`, fillers, `engine`, `use_global_stats`, `transform_param` means) are
 * accepted and ignored.
 *
 * Data layers of train/test nets (those admitted in the TEST phase) become
 * layers of type `Input` (name and tops kept, `params.shapes` as for Input),
 * so the rest of the library sees an ordinary network input. Their shapes,
 * at batch 1: the image top is `[1, C, H, W]` and the label top `[1]`, where
 * - `Data` (LMDB/LevelDB): H = W = `transform_param.crop_size`, C = 3 (the
 *   database's channel count is not in the prototxt; 3-channel images are
 *   assumed, 1 with `transform_param.force_gray`); without `crop_size` the
 *   shape is unknown and the import fails (see below);
 * - `ImageData`: C = 3, or 1 with `is_color: false`; H × W the crop, else
 *   `new_height` × `new_width`, else unknown;
 * - `WindowData`: C = 3, H = W = the crop size; `MemoryData`: its `channels`,
 *   `height`, `width` (crop applied); `DummyData`: its `shape`s (or legacy
 *   `num`/`channels`/`height`/`width`).
 * Loss layers and `Accuracy` produce a scalar (shape `[]`); Accuracy's and
 * SoftmaxWithLoss's optional second tops are `[classes]` and the
 * probabilities. `Slice` params are `{ axis, slicePoints }` (resolved),
 * `Crop` params `{ axis, offsets }` (one resolved offset per cropped axis).
 *
 * Parameter blobs (`paramShapes`, Caffe's order): Convolution weights
 * `[Cout, Cin/group, kh, kw]` then bias `[Cout]`; Deconvolution
 * `[Cin, Cout/group, kh, kw]` + `[Cout]`; InnerProduct `[N, K]` (or `[K, N]`
 * with `transpose`) + `[N]`; BatchNorm `[C]`, `[C]`, `[1]`; Scale the scaled
 * axes (`[C]`) plus the same again with `bias_term` (with a second bottom, only
 * the bias); Bias `[C]`; PReLU `[C]` (or `[1]` when channel-shared).
 *
 * MACs (multiply–accumulates of one forward pass at batch 1):
 * - Convolution: `Cout·Hout·Wout·(Cin/group)·kh·kw` (per bottom/top pair);
 *   Deconvolution: `Cin·Hin·Win·(Cout/group)·kh·kw`.
 * - InnerProduct: `M·K·N` (M = product of the axes before `axis`, 1 at batch 1).
 * - Pooling: output elements × kernel area (global: the input's H·W).
 * - LRN: elements × `local_size` (across channels) or × `local_size²`
 *   (within channel).
 * - Eltwise: elements × (inputs − 1).
 * - BatchNorm, Scale, Bias, ReLU, PReLU, ELU, Sigmoid, TanH, AbsVal, BNLL,
 *   Power, Dropout, Softmax, Threshold, Exp, Log, Clip, Swish: one per
 *   element; loss layers, Accuracy, ArgMax, Reduction: one per element of
 *   bottom 0.
 * - Concat, Split, Flatten, Reshape, Slice, Crop, Tile, Silence, Input (and
 *   the data layers imported as Input): 0 (data movement only).
 *
 * Cost: O(total number of layers, bottoms and tops) time and memory.
 *
 * @param spec - The net (from {@link parsePrototxt} or built in code).
 * @param source - Label for error messages, e.g. the file name
 *   (default: `spec.name`, else `"<net>"`).
 * @returns The runtime {@link Network}; its name is `spec.name`, else `source`.
 * @throws {@link UnsupportedLayerError} for a layer type not listed above
 *   (naming the layer and the type), e.g. SSD's Permute, PriorBox,
 *   Normalize, DetectionOutput, or `Python` layers (naming their module).
 * @throws {@link InvalidModelError} for a data layer whose shape is not in
 *   the prototxt (`Data` without `crop_size`, `ImageData` without a size,
 *   `HDF5Data`): the message names the layer and suggests the deploy file.
 * @throws {@link InvalidModelError} for a bottom no earlier layer produces
 *   (an undefined blob, or a cycle / misordered layers), duplicate or missing
 *   layer names, a missing required field (`num_output`, `kernel_size`, …),
 *   shapes that do not add up (Concat or Eltwise mismatch, a kernel bigger
 *   than the padded input, a non-positive size, a Reshape count mismatch).
 *   Messages name the source, the layer and the field.
 *
 * @example
 * ```ts
 * const net = networkFromCaffeNet(parsePrototxt(text, "resnet50.prototxt"), "resnet50.prototxt");
 * net.layers.length;                       // 245
 * net.layers[23].name;                     // "res2a_res2a_relu_0_split"
 * ```
 */
export function networkFromCaffeNet(spec: CaffeNetSpec, source?: string, options: CaffeImportOptions = {}): Network {
  return networkFromCaffeNetDetailed(spec, source, options).network;
}

/** Options of {@link networkFromCaffeNet} and `importCaffePrototxt`. */
export interface CaffeImportOptions {
  /**
   * Shapes of network inputs by blob name (a top of an Input or data layer,
   * or an old-style `input:`), batch included, NCHW, e.g.
   * `{ data: [1, 3, 300, 300] }`. They replace the file's shapes (and give
   * one to a data layer whose shape the prototxt does not say). A name that
   * is no input blob is an {@link InvalidArgumentError}.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

/** A Caffe network and what the importer had to say (unknown fields, fork semantics). */
export interface CaffeImport {
  /** The runtime network. */
  readonly network: Network;
  /** Warnings: fields the importer does not know inside known messages, fork fields, … */
  readonly warnings: readonly string[];
}

/** Layer types whose tops are network inputs (their shapes may be given in {@link CaffeImportOptions.inputShapes}). */
const INPUT_TYPES = new Set(["Input", "Data", "ImageData", "WindowData", "MemoryData", "DummyData", "HDF5Data", "Python"]);

/**
 * {@link networkFromCaffeNet}, also returning the warnings.
 *
 * @throws see {@link networkFromCaffeNet}; {@link InvalidArgumentError} for an
 *   `inputShapes` name that is no input blob, or a non-positive dimension
 */
export function networkFromCaffeNetDetailed(spec: CaffeNetSpec, source?: string, options: CaffeImportOptions = {}): CaffeImport {
  const outer = ACCESSED;
  const outerLast = LAST;
  ACCESSED = newReadFields();
  LAST = {};
  try {
    return importNet(spec, source, options);
  } finally {
    ACCESSED = outer;
    LAST = outerLast;
  }
}

/**
 * Identical shapes share one array, and identical lists of shapes one list:
 * direct-mapped caches keyed by a hash of the dimensions, so a net of a
 * million layers with a few distinct shapes keeps a few arrays, not millions.
 * Shapes and shape lists are readonly everywhere, and layers already shared
 * them (an in-place layer's output is its input's array).
 */
class ShapeTable {
  private readonly shapes = new Array<Shape | undefined>(SHAPE_SLOTS).fill(undefined);
  private readonly lists = new Array<Shape[] | undefined>(SHAPE_SLOTS).fill(undefined);

  private static hash(shape: Shape): number {
    let h = shape.length | 0;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i]!;
      h = Math.imul(h ^ (d | 0), 0x9e3779b1) ^ ((d / 4294967296) | 0);
    }
    return h ^ (h >>> 15);
  }

  /** The shared array equal to `shape` (`shape` itself the first time). */
  intern(shape: Shape): Shape {
    const s = ShapeTable.hash(shape) & (SHAPE_SLOTS - 1);
    const known = this.shapes[s];
    if (known !== undefined && (known === shape || sameShape(known, shape))) return known;
    this.shapes[s] = shape;
    return shape;
  }

  /** The shared list holding the same shape objects as `list` (`list` itself the first time). */
  list(list: Shape[]): Shape[] {
    if (list.length === 0) return NO_SHAPES;
    let h = list.length;
    for (let i = 0; i < list.length; i++) h = Math.imul(h ^ ShapeTable.hash(list[i]!), 0x85ebca6b);
    const s = (h ^ (h >>> 13)) & (SHAPE_SLOTS - 1);
    const known = this.lists[s];
    if (known !== undefined && known.length === list.length) {
      let i = 0;
      while (i < list.length && known[i] === list[i]) i++;
      if (i === list.length) return known;
    }
    this.lists[s] = list;
    return list;
  }

  /** {@link list} of `[shape]`, allocated only when not shared yet. */
  single(shape: Shape): Shape[] {
    const h = Math.imul(1 ^ ShapeTable.hash(shape), 0x85ebca6b);
    const s = (h ^ (h >>> 13)) & (SHAPE_SLOTS - 1);
    const known = this.lists[s];
    if (known !== undefined && known.length === 1 && known[0] === shape) return known;
    return this.list([shape]);
  }
}

const SHAPE_SLOTS = 4096;

/** The shape list of layers without parameter blobs (or without inputs, or outputs): one shared empty list. */
const NO_SHAPES: Shape[] = [];

/** The params of layers without parameters (ReLU, Split, …): one shared empty object. */
const NO_PARAMS: LayerParams = {};

/**
 * Identical params objects of scalar fields (a million equal Convolution
 * params of a generated net) are one object: a direct-mapped cache keyed by a
 * hash of the fields; objects with array or object fields are kept as they are.
 */
class ParamsTable {
  private readonly slots = new Array<LayerParams | undefined>(PARAMS_SLOTS).fill(undefined);
  /** `Object.keys` of each slot's object, listed once when it enters the slot. */
  private readonly keys = new Array<string[] | undefined>(PARAMS_SLOTS).fill(undefined);

  /** The last objects returned (a repeated layer's params are the same object again: no walk over its fields). */
  private readonly recent = new Array<LayerParams | undefined>(RECENT_PARAMS).fill(undefined);
  private next = 0;

  intern(params: LayerParams): LayerParams {
    const recent = this.recent;
    for (let i = 0; i < RECENT_PARAMS; i++) if (recent[i] === params) return params;
    const shared = this.lookup(params);
    recent[this.next] = shared;
    this.next = (this.next + 1) % RECENT_PARAMS;
    return shared;
  }

  private lookup(params: LayerParams): LayerParams {
    let h = 0;
    let count = 0;
    const record = params as Readonly<Record<string, unknown>>;
    for (const key in record) {
      const v = record[key];
      if (typeof v === "number") h = Math.imul(h ^ (v | 0), 0x9e3779b1) ^ ((v * 1048576) | 0);
      else if (typeof v === "boolean") h = Math.imul(h ^ (v ? 1 : 2), 0x9e3779b1);
      else if (typeof v === "string") h = Math.imul(h ^ v.length ^ (v.charCodeAt(0) << 8), 0x9e3779b1);
      else return params;
      h = Math.imul(h ^ key.length ^ (key.charCodeAt(0) << 16), 0x85ebca6b);
      count++;
    }
    if (count === 0) return NO_PARAMS;
    const s = (h ^ (h >>> 15)) & (PARAMS_SLOTS - 1);
    const known = this.slots[s];
    if (known !== undefined && (known === params || sameParams(known, this.keys[s]!, params, count))) return known;
    this.slots[s] = params;
    this.keys[s] = Object.keys(params);
    return params;
  }
}

const PARAMS_SLOTS = 1024;
const RECENT_PARAMS = 4;

/**
 * Same own keys in the same order (the same JSON), with the same values:
 * `b`'s `count` keys walked against `a`'s list `keysOfA` (listing `b`'s keys
 * would allocate an array per layer).
 */
function sameParams(a: LayerParams, keysOfA: readonly string[], b: LayerParams, count: number): boolean {
  if (keysOfA.length !== count) return false;
  const ra = a as Readonly<Record<string, unknown>>;
  const rb = b as Readonly<Record<string, unknown>>;
  let i = 0;
  for (const key in rb) {
    if (key !== keysOfA[i] || !Object.is(ra[key], rb[key])) return false;
    i++;
  }
  return true;
}

/**
 * A plain array of `n` zeros. The importer's per-layer and per-blob tables
 * are plain arrays, not typed arrays: at 10^6 layers typed arrays are
 * external memory, and every 64 MB of it makes V8 run a full GC over the
 * (by then large) heap.
 */
function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}

/**
 * Strings numbered 0, 1, … in insertion order, in an open-addressing hash
 * table (linear probing, at most 3/4 full) on one flat array that
 * interleaves each slot's id and hash, so a probe touches one cache line
 * (the blob and layer names of a million-layer net: a JS Set or Map of a
 * million strings costs several times more per lookup). A plain array, not
 * an Int32Array: see {@link zeros}.
 */
class StringIndex {
  /** Per slot `i`: `table[2i]` = id + 1 (0 = empty), `table[2i + 1]` = the hash of its string (one cache line per probe). */
  private table: number[];
  /** Number of slots (a power of two). */
  private capacity: number;
  private readonly keys: string[] = [];

  constructor(expected: number) {
    let capacity = 16;
    while (3 * capacity < 4 * expected) capacity *= 2;
    this.capacity = capacity;
    this.table = zeros(2 * capacity);
  }

  get size(): number {
    return this.keys.length;
  }

  private static hash(s: string): number {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 12);
  }

  /** The slot of `s` (hash `h`): where it is, or the empty slot where it would go. */
  private slot(s: string, h: number): number {
    const mask = this.capacity - 1;
    const table = this.table;
    const keys = this.keys;
    let i = h & mask;
    for (;;) {
      const id = table[2 * i]!;
      if (id === 0 || (table[2 * i + 1] === h && keys[id - 1] === s)) return i;
      i = (i + 1) & mask;
    }
  }

  /** The id of `s`, or -1. */
  find(s: string): number {
    return this.table[2 * this.slot(s, StringIndex.hash(s))]! - 1;
  }

  /** Add `s` and return its new id, or return `~id` (negative) when it is there already. */
  add(s: string): number {
    const h = StringIndex.hash(s);
    let i = this.slot(s, h);
    const known = this.table[2 * i]!;
    if (known !== 0) return ~(known - 1);
    if (4 * (this.keys.length + 1) > 3 * this.capacity) {
      this.grow();
      i = this.slot(s, h);
    }
    this.keys.push(s);
    this.table[2 * i] = this.keys.length;
    this.table[2 * i + 1] = h;
    return this.keys.length - 1;
  }

  private grow(): void {
    const old = this.table;
    const oldCapacity = this.capacity;
    this.capacity = 2 * oldCapacity;
    const table = (this.table = zeros(2 * this.capacity));
    const mask = this.capacity - 1;
    for (let j = 0; j < oldCapacity; j++) {
      const id = old[2 * j]!;
      if (id === 0) continue;
      const h = old[2 * j + 1]!;
      let i = h & mask;
      while (table[2 * i] !== 0) i = (i + 1) & mask;
      table[2 * i] = id;
      table[2 * i + 1] = h;
    }
  }
}

function importNet(spec: CaffeNetSpec, source: string | undefined, options: CaffeImportOptions): CaffeImport {
  const label = source ?? spec.name ?? "<net>";
  const netCtx: Context = { source: label, layer: "<net>", type: "NetParameter" };
  if (!Array.isArray(spec.layer)) invalid(netCtx, "the net has no layer list");
  const overrides = options.inputShapes ?? {};
  for (const [name, dims] of Object.entries(overrides)) {
    if (!Array.isArray(dims) || dims.length === 0 || dims.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new InvalidArgumentError(`${label}: inputShapes.${name} must be a list of positive integers, got ${JSON.stringify(dims)}`);
    }
  }
  // Each pass over the layers is a function of its own: V8 optimizes each loop on its own feedback
  // (one function of seven loops was recompiled once per loop, running the rest unoptimized meanwhile).
  const declared = admittedLayers(spec, label, netCtx);
  const inputBlobs = declared.filter((l) => INPUT_TYPES.has(String(l.type)) && stringList(l.bottom, "bottom", netCtx).length === 0).flatMap((l) => stringList(l.top, "top", netCtx));
  for (const name of Object.keys(overrides)) {
    if (!inputBlobs.includes(name)) {
      throw new InvalidArgumentError(`${label}: inputShapes names "${name}", which is not an input blob of the net (inputs: ${inputBlobs.join(", ") || "none"})`);
    }
  }
  const blobLists = declaredBlobs(declared, label);
  const wiring = wireBlobs(declared, blobLists, label);
  const runtime = new RuntimeList(label, overrides, declared.length, wiring);
  emitRuntimeLayers(declared, blobLists, wiring, runtime, label);
  const { inputs, outputs } = runtime.tensors();
  return { network: { name: spec.name ?? label, layers: runtime.layers, inputs, outputs, source: source ?? spec.name }, warnings: runtime.warnings };
}

/** The error context of a declared layer. */
function layerContext(label: string, layer: CaffeLayerSpec): Context {
  return { source: label, layer: layer.name, type: layer.type };
}

/** 1. UpgradeNetInput, 2. FilterNet: the layers of the TEST phase, an old-style input first. */
function admittedLayers(spec: CaffeNetSpec, label: string, netCtx: Context): CaffeLayerSpec[] {
  const stateFields = new Fields(spec.state, "state", netCtx);
  const state: NetState = {
    level: stateFields.int("level", 0),
    stages: new Set(stageList(spec.state, "stage")),
  };
  const declared: CaffeLayerSpec[] = [];
  const upgraded = upgradeInput(spec, label);
  if (upgraded !== null) declared.push(upgraded);
  for (let i = 0; i < spec.layer.length; i++) {
    const layer = spec.layer[i]!;
    const name = typeof layer.name === "string" ? layer.name : "";
    if (name === "" || typeof layer.type !== "string" || layer.type === "" || layer.include !== undefined || layer.exclude !== undefined) {
      const ctx: Context = { source: label, layer: name === "" ? `#${i}` : name, type: String(layer.type ?? "?") };
      if (name === "") invalid(ctx, `layer #${i} has no name`);
      if (typeof layer.type !== "string" || layer.type === "") invalid(ctx, "type is required");
      if (!admittedInTest(layer, state, ctx)) continue;
    }
    declared.push(layer);
  }
  if (declared.length === 0) {
    invalid(netCtx, spec.layer.length === 0 ? "the net declares no layers and no input (an empty prototxt?)" : "no layer of the net is admitted in the TEST phase");
  }
  return declared;
}

/** The declared layers' bottom and top lists, and their names (unique: checked here). */
interface BlobLists {
  readonly names: StringIndex;
  readonly bottomsOf: string[][];
  readonly topsOf: string[][];
}

function declaredBlobs(declared: readonly CaffeLayerSpec[], label: string): BlobLists {
  const n = declared.length;
  const bottomsOf: string[][] = new Array(n);
  const topsOf: string[][] = new Array(n);
  const names = new StringIndex(n + (n >> 3)); // room for the Split layers of a branching net
  const ctx = (layer: CaffeLayerSpec): Context => layerContext(label, layer);
  for (let i = 0; i < n; i++) {
    const layer = declared[i]!;
    if (names.add(layer.name) < 0) invalid(ctx(layer), `duplicate layer name '${layer.name}'`);
    bottomsOf[i] = blobList(layer.bottom, "bottom", layer, ctx);
    topsOf[i] = blobList(layer.top, "top", layer, ctx);
  }
  return { names, bottomsOf, topsOf };
}

/**
 * 3. InsertSplits, pass 1: the source top of every bottom and reader counts.
 * Tops and bottoms are numbered globally (flat arrays, no per-layer allocation).
 */
interface Wiring {
  /** Declared layer → its first global top (and bottom); one more entry at the end. */
  readonly topStart: number[];
  readonly bottomStart: number[];
  /** Global top → number of bottoms reading that version (plus one for a non-zero loss_weight). */
  readonly readers: number[];
  /** Global top → declared layer. */
  readonly producerOf: number[];
  /** Global bottom → global top it reads. */
  readonly sourceOf: number[];
}

function wireBlobs(declared: readonly CaffeLayerSpec[], { bottomsOf, topsOf }: BlobLists, label: string): Wiring {
  const n = declared.length;
  const topStart = offsetsOf(topsOf);
  const bottomStart = offsetsOf(bottomsOf);
  const totalTops = topStart[n]!;
  const readers = zeros(totalTops);
  const producerOf = zeros(totalTops);
  const sourceOf = zeros(bottomStart[n]!);
  const blobs = new StringIndex(totalTops); // blob name → blob id
  const lastTop = zeros(totalTops); // blob id → global top that last wrote it
  for (let i = 0; i < n; i++) {
    const layer = declared[i]!;
    const bottoms = bottomsOf[i]!;
    const tops = topsOf[i]!;
    for (let j = 0; j < bottoms.length; j++) {
      const blob = bottoms[j]!;
      const id = blobs.find(blob);
      if (id < 0) {
        const ctx = layerContext(label, layer);
        // the first producer, for a helpful "produced only later" error
        const later = topsOf.findIndex((t) => t.includes(blob));
        if (later >= 0) {
          invalid(
            ctx,
            `bottom '${blob}' (bottom ${j}) is not produced by any earlier layer: it is first produced by the later layer '${declared[later]!.name}' (a cycle, or layers out of order)`,
          );
        }
        invalid(ctx, `bottom '${blob}' (bottom ${j}) is not produced by any earlier layer (undefined blob or a cycle)`);
      }
      const top = lastTop[id]!;
      sourceOf[bottomStart[i]! + j] = top;
      readers[top]!++;
    }
    for (let j = 0; j < tops.length; j++) {
      const id = blobs.add(tops[j]!);
      lastTop[id < 0 ? ~id : id] = topStart[i]! + j;
      producerOf[topStart[i]! + j] = i;
    }
    // Caffe's InsertSplits counts a top with an explicit non-zero loss_weight
    // as one more reader (the loss), so a loss top also read by a layer is split.
    if (layer["loss_weight"] !== undefined) {
      const weights = new Fields(layer as CaffeMessage, "", layerContext(label, layer)).numbers("loss_weight");
      for (let j = 0; j < Math.min(weights.length, tops.length); j++) {
        if (weights[j] !== 0) readers[topStart[i]! + j]!++;
      }
    }
  }
  return { topStart, bottomStart, readers, producerOf, sourceOf };
}

/** Where each list starts in the concatenation of `lists` (one more entry: the total). */
function offsetsOf(lists: readonly (readonly unknown[])[]): number[] {
  const offsets = zeros(lists.length + 1);
  for (let i = 0; i < lists.length; i++) offsets[i + 1] = offsets[i]! + lists[i]!.length;
  return offsets;
}

/**
 * Pass 2: the runtime layer list as it is emitted (declared layers and their
 * Splits), each bottom resolved to its runtime tensor and every shape
 * inferred; with the reader count of every runtime tensor.
 */
class RuntimeList {
  readonly layers: Layer[] = [];
  readonly warnings: string[] = [];
  private readonly shapes = new ShapeTable();
  private readonly params = new ParamsTable();
  /** Runtime layer → offset of its tops in {@link readCount}. */
  private readonly runtimeTopStart: number[];
  /** Runtime tensor → number of readers. */
  private readonly readCount: number[];

  constructor(
    private readonly label: string,
    private readonly overrides: Readonly<Record<string, readonly number[]>>,
    declaredLayers: number,
    { readers }: Wiring,
  ) {
    // every declared layer plus one Split per top read more than once
    let runtimeLayers = declaredLayers;
    let runtimeTops = readers.length;
    for (let t = 0; t < readers.length; t++) {
      if (readers[t]! > 1) {
        runtimeLayers++;
        runtimeTops += readers[t]!;
      }
    }
    this.runtimeTopStart = zeros(runtimeLayers + 1);
    this.readCount = zeros(runtimeTops);
  }

  /** Append a layer: infer its shapes from its inputs' (already emitted); returns its runtime index. */
  emit(layerSpec: CaffeLayerSpec, name: string, type: string, bottoms: string[], tops: string[], inputs: TensorRef[], ctx: Context): number {
    const { layers, shapes, readCount, runtimeTopStart, overrides, warnings } = this;
    const index = layers.length;
    const overridden = inputs.length === 0 && INPUT_TYPES.has(type) && tops.some((t) => overrides[t] !== undefined);
    const infer = overridden ? overriddenInput(overrides) : INFERENCE.get(type);
    if (infer === undefined) unimportable(layerSpec, ctx);
    let inputShapes: Shape[];
    if (inputs.length === 1) {
      const ref = inputs[0]!;
      // a producer of one output already holds the shared one-shape list
      const produced = layers[ref.layer]!.outputShapes;
      inputShapes = produced.length === 1 ? (produced as Shape[]) : shapes.single(produced[ref.top]!);
      readCount[runtimeTopStart[ref.layer]! + ref.top]!++;
    } else {
      inputShapes = new Array(inputs.length);
      for (let j = 0; j < inputs.length; j++) {
        const ref = inputs[j]!;
        inputShapes[j] = layers[ref.layer]!.outputShapes[ref.top]!;
        readCount[runtimeTopStart[ref.layer]! + ref.top]!++;
      }
      inputShapes = shapes.list(inputShapes);
    }
    // The fields read are tracked per layer (see unknownFields).
    if (ACCESSED.size > 0) ACCESSED.clear();
    const inferred = infer(layerSpec, inputShapes, tops.length, ctx);
    if (ACCESSED.size > 0) {
      const unknown = unknownFields(layerSpec);
      if (unknown.length > 0) warnings.push(`${where(ctx)}: ${unknown.join(", ")} ${unknown.length === 1 ? "is a field" : "are fields"} IONN does not know; ignored`);
    }
    if (inferred.warning !== undefined) warnings.push(`${where(ctx)}: ${inferred.warning}`);
    let outputShapes = inferred.outputShapes;
    for (let k = 0; k < outputShapes.length; k++) {
      const shape = outputShapes[k]!;
      for (let d = 0; d < shape.length; d++) {
        const v = shape[d]!;
        if (!(Number.isInteger(v) && v > 0)) invalid(ctx, `inferred output shape ${fmt(shape)} has a non-positive or non-integer dimension`);
      }
      const shared = shapes.intern(shape);
      if (shared !== shape) outputShapes[k] = shared;
    }
    outputShapes = outputShapes.length === 1 ? shapes.single(outputShapes[0]!) : shapes.list(outputShapes);
    let paramShapes = inferred.paramShapes;
    let parameters = 0;
    for (let k = 0; k < paramShapes.length; k++) {
      const shape = paramShapes[k]!;
      parameters += size(shape);
      const shared = shapes.intern(shape);
      if (shared !== shape) paramShapes[k] = shared;
    }
    paramShapes = shapes.list(paramShapes);
    layers.push({
      index,
      name,
      type: inferred.type ?? type,
      bottoms,
      tops,
      inputs,
      inputShapes,
      outputShapes,
      params: this.params.intern(inferred.params),
      paramShapes,
      parameters,
      macs: inferred.macs,
    });
    runtimeTopStart[index + 1] = runtimeTopStart[index]! + tops.length;
    return index;
  }

  /** The network's inputs (the Input layers' tops) and outputs (the tensors no layer reads). */
  tensors(): { inputs: TensorRef[]; outputs: TensorRef[] } {
    const inputs: TensorRef[] = [];
    const outputs: TensorRef[] = [];
    for (const layer of this.layers) {
      for (let t = 0; t < layer.tops.length; t++) {
        if (layer.type === "Input") inputs.push({ layer: layer.index, top: t });
        if (this.readCount[this.runtimeTopStart[layer.index]! + t] === 0) outputs.push({ layer: layer.index, top: t });
      }
    }
    return { inputs, outputs };
  }

  /** The error context of an inserted Split layer. */
  splitContext(name: string): Context {
    return { source: this.label, layer: name, type: "Split" };
  }
}

/** Emit every declared layer, each followed by a Split for each of its tops read more than once. */
function emitRuntimeLayers(declared: readonly CaffeLayerSpec[], { names, bottomsOf, topsOf }: BlobLists, wiring: Wiring, runtime: RuntimeList, label: string): void {
  const { topStart, bottomStart, readers, producerOf, sourceOf } = wiring;
  const n = declared.length;
  const totalTops = topStart[n]!;
  const layers = runtime.layers;
  const runtimeIndex = zeros(n); // declared layer → runtime index
  const splitOf = new Array<number>(totalTops).fill(-1); // global top → runtime index of its Split layer
  const splitNext = zeros(totalTops); // global top → next split top to hand out
  for (let i = 0; i < n; i++) {
    const layer = declared[i]!;
    const ctx = layerContext(label, layer);
    const declaredBottoms = bottomsOf[i]!;
    // the declared list itself unless a bottom is rewired to a Split's top
    let bottoms: string[] = declaredBottoms;
    const inputs: TensorRef[] = new Array(declaredBottoms.length);
    for (let j = 0; j < declaredBottoms.length; j++) {
      const top = sourceOf[bottomStart[i]! + j]!;
      const p = producerOf[top]!;
      const split = splitOf[top]!;
      if (split >= 0) {
        const k = splitNext[top]!++;
        if (bottoms === declaredBottoms) bottoms = declaredBottoms.slice();
        bottoms[j] = layers[split]!.tops[k]!;
        inputs[j] = { layer: split, top: k };
      } else {
        inputs[j] = { layer: runtimeIndex[p]!, top: top - topStart[p]! };
      }
    }
    const tops = topsOf[i]!;
    const index = runtime.emit(layer, layer.name, layer.type, bottoms, tops, inputs, ctx);
    runtimeIndex[i] = index;
    for (let j = 0; j < tops.length; j++) {
      const count = readers[topStart[i]! + j]!;
      if (count <= 1) continue;
      const blob = tops[j]!;
      const splitName = `${blob}_${layer.name}_${j}_split`;
      const splitTops: string[] = new Array(count);
      for (let k = 0; k < count; k++) splitTops[k] = `${splitName}_${k}`;
      const splitCtx = runtime.splitContext(splitName);
      if (names.add(splitName) < 0) invalid(splitCtx, `the automatically inserted Split layer's name clashes with a declared layer`);
      splitOf[topStart[i]! + j] = runtime.emit({ name: splitName, type: "Split" }, splitName, "Split", [blob], splitTops, [{ layer: index, top: j }], splitCtx);
    }
  }
}

/** {@link stringList} of a layer's bottom or top field, without a context unless there is an error to report. */
function blobList(value: unknown, what: string, layer: CaffeLayerSpec, ctx: (layer: CaffeLayerSpec) => Context): string[] {
  if (Array.isArray(value)) {
    let ok = true;
    for (let k = 0; k < value.length; k++) {
      const v: unknown = value[k];
      if (typeof v !== "string" || v === "") {
        ok = false;
        break;
      }
    }
    if (ok) return value as string[];
  }
  return stringList(value, what, ctx(layer));
}

/** An input or data layer whose shapes the caller gives: tops named in `overrides` take them; the others keep the file's. */
function overriddenInput(overrides: Readonly<Record<string, readonly number[]>>): Inference {
  return (spec, inputs, tops, ctx) => {
    const names = stringList(spec.top, "top", ctx);
    let fromFile: Inferred | undefined;
    if (names.some((t) => overrides[t] === undefined)) fromFile = INFERENCE.get(String(spec.type))?.(spec, inputs, tops, ctx);
    const outputShapes = names.map((t, i) => (overrides[t] !== undefined ? [...overrides[t]!] : fromFile?.outputShapes[i] ?? invalid(ctx, `top '${t}' has no shape; give it in inputShapes`)));
    const params: InputParams = { shapes: outputShapes };
    return { outputShapes, params, paramShapes: [], macs: 0, type: "Input" };
  };
}
