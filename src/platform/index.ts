/**
 * The few host services the core needs, written with web-standard APIs only
 * (Node 20 and browsers both have them), so that the planner, importers,
 * simulator and in-memory runtime bundle for the browser (`ionn/planner`).
 * Node-only pieces (`node:net`, `node:fs`) stay in the TCP transport, the
 * server's `serveTcp` (loaded lazily) and the CLI.
 *
 * @module
 */

/** Whether this host stores multi-byte numbers little-endian first. */
export const LITTLE_ENDIAN_HOST: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const encoder = new TextEncoder();

/** Bytes of `text` encoded as UTF-8. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** `bytes` cryptographically random bytes as lowercase hex (Web Crypto's `getRandomValues`). */
export function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  let out = "";
  for (let i = 0; i < buffer.length; i++) out += buffer[i]!.toString(16).padStart(2, "0");
  return out;
}

/**
 * The host's physical memory in bytes: `os.totalmem()` under Node (reached
 * through `process.getBuiltinModule`, so no `node:` import is bundled), else
 * the browser's `navigator.deviceMemory` GiB, else 4 GiB.
 */
export function hostMemoryBytes(): number {
  const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown }; navigator?: { deviceMemory?: number } };
  const os = host.process?.getBuiltinModule?.("node:os") as { totalmem(): number } | undefined;
  if (os !== undefined) return os.totalmem();
  const gib = host.navigator?.deviceMemory;
  return (typeof gib === "number" && gib > 0 ? gib : 4) * 2 ** 30;
}

/** Compare two strings in time that depends only on their lengths (for session ids). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  return diff === 0;
}

type Immediate = (callback: () => void) => unknown;
const nodeImmediate = (globalThis as { setImmediate?: Immediate }).setImmediate;

/**
 * Run `callback` as a new macrotask, after pending microtasks: `setImmediate`
 * on Node, a `MessageChannel` message in browsers, `setTimeout(0)` otherwise.
 */
export const macrotask: (callback: () => void) => void = (() => {
  if (typeof nodeImmediate === "function") return (callback: () => void) => void nodeImmediate(callback);
  if (typeof MessageChannel === "function") {
    const queue: (() => void)[] = [];
    const channel = new MessageChannel();
    (channel.port1 as unknown as { onmessage: () => void }).onmessage = () => queue.shift()?.();
    return (callback: () => void) => {
      queue.push(callback);
      channel.port2.postMessage(0);
    };
  }
  return (callback: () => void) => void setTimeout(callback, 0);
})();

/**
 * `promise`, or a rejection with `error()` when it has not settled within
 * `ms` milliseconds (the timer does not keep a Node process alive).
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    (timer as { unref?: () => void }).unref?.();
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
