/**
 * Test helpers: a lake that hands every call to another, for tests to override what they bend;
 * a sink drain into a throwaway lake, audited.
 */
import { parseLakeUrl } from "../lib/config/mod.ts";
import type { LakeEntry, LakeStorage } from "../lib/lake/storage.ts";
import { openLake } from "../lib/lake/mod.ts";
import { auditLake, type LakeAudit, runSink, type SinkResult } from "../lib/sink/mod.ts";
import { uniqueName } from "./_helpers.ts";
import type { FreshTopics } from "./_topics.ts";

/** Every `LakeStorage` call passed on to `inner`; subclasses override the ones they change. */
export class DelegatingLake implements LakeStorage {
  constructor(readonly inner: LakeStorage) {}
  get description(): string {
    return this.inner.description;
  }
  init(): Promise<void> {
    return this.inner.init();
  }
  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data);
  }
  get(path: string): Promise<Uint8Array> {
    return this.inner.get(path);
  }
  list(prefix: string): Promise<LakeEntry[]> {
    return this.inner.list(prefix);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * `runSink` with `once` over `t`'s topics into a fresh `file://` lake (a new group), then the audit
 * of that lake against Kafka; the lake's folder is removed afterwards.
 */
export async function sinkOnceAudited(t: FreshTopics): Promise<{
  result: SinkResult;
  audit: LakeAudit;
}> {
  const dir = await Deno.makeTempDir({ prefix: "ecom-sink-once-" });
  try {
    const config = { ...t.config, lake: parseLakeUrl(`file://${dir}`) };
    const group = uniqueName("g");
    const result = await runSink(config, { once: true, group, lake: openLake(config.lake) });
    const audit = await auditLake(t.kafka, openLake(config.lake), t.topics, { group });
    return { result, audit };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
