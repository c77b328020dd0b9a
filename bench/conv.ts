/**
 * Benchmark of the reference executor's convolution (src/executor, IONN §4):
 * GMAC/s of im2col + the blocked WebAssembly-SIMD SGEMM on AlexNet conv1,
 * conv2 (grouped), conv3, a ResNet-50 3×3 and 1×1 layer and a MobileNet
 * depthwise layer, against the naive direct 7-loop convolution
 * (src/executor/naive.ts) as the baseline in the same run. Also checks that
 * both agree.
 *
 * Run: `npx tsx bench/conv.ts` (about a minute; the naive baseline dominates).
 * Results are recorded in bench/README.md under "Reference executor".
 */
import { cpus } from "node:os";
import type { ConvolutionParams } from "../src/model/types.js";
import { convolution } from "../src/executor/kernels/convolution.js";
import { sgemmBackend } from "../src/executor/kernels/gemm.js";
import { naiveConvolution } from "../src/executor/naive.js";
import { mulberry32 } from "../src/executor/random-weights.js";

interface Case {
  readonly name: string;
  readonly cin: number;
  readonly size: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly pad: number;
  readonly group: number;
}

const cases: Case[] = [
  { name: "AlexNet conv1 3×227² → 96, 11×11/4", cin: 3, size: 227, cout: 96, kernel: 11, stride: 4, pad: 0, group: 1 },
  { name: "AlexNet conv2 96×27² → 256, 5×5 p2, group 2", cin: 96, size: 27, cout: 256, kernel: 5, stride: 1, pad: 2, group: 2 },
  { name: "AlexNet conv3 256×13² → 384, 3×3 p1", cin: 256, size: 13, cout: 384, kernel: 3, stride: 1, pad: 1, group: 1 },
  { name: "ResNet-50 res2 3×3 64×56² → 64, p1", cin: 64, size: 56, cout: 64, kernel: 3, stride: 1, pad: 1, group: 1 },
  { name: "ResNet-50 res2 1×1 64×56² → 256", cin: 64, size: 56, cout: 256, kernel: 1, stride: 1, pad: 0, group: 1 },
  { name: "MobileNet dw 3×3 32×112², group 32", cin: 32, size: 112, cout: 32, kernel: 3, stride: 1, pad: 1, group: 32 },
];

const REPETITIONS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log(`date: ${new Date().toISOString().slice(0, 10)}; machine: ${cpus().length}× ${cpus()[0]?.model ?? "?"}; node ${process.version}; sgemm backend: ${sgemmBackend()}`);
console.log(`command: npx tsx bench/conv.ts; fast: median of ${REPETITIONS} after 1 warm-up; naive: 1 run`);
console.log("");
console.log("| layer | MMAC | reference ms | reference GMAC/s | naive ms | naive GMAC/s | speed-up | max rel. diff |");
console.log("|---|---|---|---|---|---|---|---|");
for (const c of cases) {
  const next = mulberry32(1);
  const params: ConvolutionParams = {
    numOutput: c.cout, kernelH: c.kernel, kernelW: c.kernel, strideH: c.stride, strideW: c.stride,
    padH: c.pad, padW: c.pad, dilationH: 1, dilationW: 1, group: c.group, biasTerm: true,
  };
  const input = { shape: [1, c.cin, c.size, c.size], data: Float32Array.from({ length: c.cin * c.size * c.size }, () => next() * 2 - 1) };
  const depth = (c.cin / c.group) * c.kernel * c.kernel;
  const weights = Float32Array.from({ length: c.cout * depth }, () => (next() * 2 - 1) * Math.sqrt(3 / depth));
  const bias = Float32Array.from({ length: c.cout }, () => next() * 0.2 - 0.1);
  let out = convolution(input, weights, bias, params);
  const macs = out.data.length * depth;
  const times: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const start = performance.now();
    out = convolution(input, weights, bias, params);
    times.push(performance.now() - start);
  }
  const fastMs = median(times);
  const start = performance.now();
  const reference = naiveConvolution(input, weights, bias, params);
  const naiveMs = performance.now() - start;
  let maxRel = 0;
  let scale = 0;
  for (const v of reference.data) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < reference.data.length; i++) maxRel = Math.max(maxRel, Math.abs(out.data[i]! - reference.data[i]!) / scale);
  const gmacs = (ms: number): string => (macs / ms / 1e6).toFixed(2);
  console.log(
    `| ${c.name} | ${(macs / 1e6).toFixed(1)} | ${fastMs.toFixed(1)} | ${gmacs(fastMs)} | ${naiveMs.toFixed(0)} | ${gmacs(naiveMs)} | ` +
      `${(naiveMs / fastMs).toFixed(1)}× | ${maxRel.toExponential(1)} |`,
  );
}
