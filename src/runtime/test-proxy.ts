/**
 * Test support for the hardening tests and benches (issue 12): a loopback
 * TCP proxy in front of an edge server that can be stopped and restarted on
 * the same port (a dropped network path) and can tamper with the server's
 * replies (a malicious or broken server, as the client sees it).
 *
 * @module
 * @internal
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { FrameDecoder, encodeFrame, type Message } from "./protocol.js";

/** Options of {@link tcpProxy}. */
export interface ProxyOptions {
  /** Port the proxy listens on (default 0: any free port). */
  readonly port?: number;
  /** Rewrite (or drop, with `undefined`) each frame the server sends; default: pass the bytes through. */
  readonly tamper?: (message: Message) => Message | undefined;
}

/** A running proxy. */
export interface Proxy {
  /** The proxy's port. */
  readonly port: number;
  /** Frames the tamper hook changed. */
  tampered(): number;
  /** Stop listening and cut every connection (both sides). */
  close(): Promise<void>;
}

/** Start a proxy on 127.0.0.1 forwarding to `127.0.0.1:targetPort`. */
export async function tcpProxy(targetPort: number, options: ProxyOptions = {}): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let tampered = 0;
  const server: Server = createServer((downstream) => {
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(downstream);
    sockets.add(upstream);
    const decoder = new FrameDecoder();
    downstream.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => {
      if (options.tamper === undefined) {
        downstream.write(chunk);
        return;
      }
      for (const message of decoder.push(chunk)) {
        const changed = options.tamper(message);
        if (changed !== message) tampered++;
        if (changed !== undefined) for (const piece of encodeFrame(changed)) downstream.write(piece);
      }
    });
    const end = () => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on("close", end);
    upstream.on("close", end);
    downstream.on("error", end);
    upstream.on("error", end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    port,
    tampered: () => tampered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
