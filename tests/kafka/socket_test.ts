/**
 * kafkajs's sockets as `createKafka` makes them: `unref` of a socket already closed adds nothing
 * (kafkajs calls it on every retry while a topic it reads is gone; stock, each call left one more
 * `connect` listener behind).
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { ISocketFactory } from "kafkajs";
import { socketFactory } from "../../lib/kafka/_kafkajs.ts";

const stock: ISocketFactory = createRequire(import.meta.url)(
  "kafkajs/src/network/socketFactory.js",
)();

/** `connect` listeners on a closed socket of `factory` after 20 `unref` calls. */
async function listenersAfterUnrefs(factory: ISocketFactory): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => connected = resolve);
    const socket = factory({
      host: "127.0.0.1",
      port: listener.addr.port,
      ssl: undefined as never,
      onConnect: () => connected(),
    });
    await ready;
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.destroy();
    await closed;
    socket.setMaxListeners(100); // the stock factory's pile-up is counted, not warned about
    for (let i = 0; i < 20; i++) socket.unref();
    return socket.listenerCount("connect");
  } finally {
    (await accepted).close();
    listener.close();
  }
}

Deno.test("socketFactory: unref of a closed socket leaves no listener behind", async () => {
  assert.equal(await listenersAfterUnrefs(socketFactory()), 0);
  // What it mends: kafkajs's own factory piles them up.
  assert.equal(await listenersAfterUnrefs(stock), 20);
});
