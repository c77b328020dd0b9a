/**
 * A real edge server and client over TCP on 127.0.0.1, running real float32
 * tensors: the client uploads a small network partition by partition in the
 * background while its queries run collaboratively, and every answer equals a
 * local run bit for bit.
 *
 *   npx tsx examples/edge-loopback.ts
 */
import {
  EdgeServer,
  OffloadingClient,
  importCaffePrototxt,
  planNetwork,
  randomWeights,
  referenceExecutor,
  runLocally,
  serveTcp,
  tcpTransport,
  tensorKey,
  deviceProfile,
} from "../src/index.js";

const network = importCaffePrototxt(
  `name: "small"
   layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 64 dim: 64 } } }
   layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 32 kernel_size: 3 pad: 1 } }
   layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
   layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
   layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2" convolution_param { num_output: 64 kernel_size: 3 pad: 1 } }
   layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
   layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
   layer { name: "fc" type: "InnerProduct" bottom: "pool2" top: "fc" inner_product_param { num_output: 10 } }
   layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }`,
  "small.prototxt",
);

const server = await serveTcp({ server: new EdgeServer({ executorFactory: () => referenceExecutor() }), port: 0 });
const costs = { clientMs: deviceProfile("odroid-xu4", network), serverMs: deviceProfile("gtx-1080ti", network) };
// A fast link, so that offloading pays for this small network.
const { plan } = planNetwork(network, costs, { mbps: 2000, K: 0.5, finalRound: true });
const weights = randomWeights(network, 1);
const client = new OffloadingClient({
  network,
  weights,
  local: referenceExecutor(),
  transport: tcpTransport({ host: server.host, port: server.port }),
  plan,
});
await client.start();
const input = { shape: [1, 3, 64, 64], data: Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i)) };
const expected = (await runLocally(network, weights, input)).get(tensorKey(network.outputs[0]!))!;
for (let q = 0; q < 5; q++) {
  const result = await client.query(input);
  const output = result.outputs.get(tensorKey(network.outputs[0]!))!;
  const same = output.data.every((v, i) => Object.is(v, expected.data[i]));
  console.log(`query ${q + 1}: ${result.serverLayers.length} layers on the server, ${result.latencyMs.toFixed(1)} ms, equals local: ${same}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await client.close();
await server.close();
