/**
 * The dashboard benchmark's browsers, in a process of their own (so their work is not counted in
 * the dashboard's CPU time): opens `n` Server-Sent Events streams to the dashboard's `/api/live`,
 * cycling through the given filters (query strings), and reads every frame until killed. Prints
 * `connected` once every stream has its first frame, then one JSON line of totals on SIGTERM.
 *
 * Usage: deno run -A bench/_sse_clients.ts '{"url":"http://127.0.0.1:…/","n":20,"filters":["","topics=orders"]}'
 *
 * @module
 */
const { url, n, filters } = JSON.parse(Deno.args[0]) as {
  url: string;
  n: number;
  filters: string[];
};
let frames = 0, bytes = 0, ready = 0;
const abort = new AbortController();
const streams = Array.from({ length: n }, async (_, i) => {
  const response = await fetch(`${url}api/live?${filters[i % filters.length]}`, {
    signal: abort.signal,
  });
  let first = true;
  try {
    for await (const chunk of response.body!) {
      bytes += chunk.length;
      frames++;
      if (first) {
        first = false;
        if (++ready === n) console.log("connected");
      }
    }
  } catch { /* aborted */ }
});
Deno.addSignalListener("SIGTERM", () => {
  abort.abort();
  console.log(JSON.stringify({ frames, bytes }));
  Deno.exit(0);
});
await Promise.all(streams);
