/**
 * Ports for services of our own that stop and start again mid-run (a test's own broker, the
 * soak's private stack).
 *
 * @module
 */

/** Where ports are looked for when the kernel's ephemeral range cannot be read (Linux's default). */
const EPHEMERAL_DEFAULT: readonly [number, number] = [32768, 60999];

/** The kernel's range of ports for outgoing connections (Linux), else its default. */
export function ephemeralPorts(): readonly [number, number] {
  try {
    const [low, high] = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range")
      .trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low <= high) return [low, high];
  } catch { /* not Linux, or not readable */ }
  return EPHEMERAL_DEFAULT;
}

/**
 * A free local port `p` with `p … p + span − 1` all free (Kafka's controller takes port + 1),
 * none of them in `avoid`, outside the kernel's ephemeral range. A port from that range (what
 * binding port 0 hands out) can be taken by any outgoing connection while the service is
 * stopped, and the service then fails to start again: "Address already in use" (seen in about
 * one run in seven of the own-broker tests).
 *
 * @example
 * ```ts
 * import { ephemeralPorts, freeServicePort } from "./ports.ts";
 * const port = freeServicePort(2);
 * const [low, high] = ephemeralPorts();
 * port + 1 < low || port > high; // true
 * ```
 */
export function freeServicePort(span = 1, avoid: readonly number[] = []): number {
  const [low, high] = ephemeralPorts();
  // Below the range where there is room (ports under 10000 are left to well-known services),
  // else above it.
  const [from, to] = low - span > 11_000 ? [10_000, low - span] : [high + 1, 65_536 - span];
  if (to - from < 100) throw new Error(`No room for a port outside ${low}–${high}`);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const ports = Array.from({ length: span }, (_, i) => port + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    const bound: Deno.Listener[] = [];
    try {
      for (const p of ports) bound.push(Deno.listen({ hostname: "127.0.0.1", port: p }));
      return port;
    } catch {
      // one of them is in use: another one
    } finally {
      for (const listener of bound) listener.close();
    }
  }
  throw new Error(`No free port found between ${from} and ${to}`);
}
