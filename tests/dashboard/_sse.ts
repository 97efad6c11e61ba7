/** Reading a Server-Sent Events stream in tests. */

/** One event of the stream. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Reads events from an SSE response body, calling `onEvent` for each, until it returns true
 * (then cancels the stream). Comment lines (keep-alives) and `retry:` lines are skipped.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => boolean,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error("The event stream ended");
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (data.length === 0) continue;
        if (onEvent({ event, data: data.join("\n") })) return;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
