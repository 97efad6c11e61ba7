/** Test helpers: a lake that hands every call to another, for tests to override what they bend. */
import type { LakeEntry, LakeStorage } from "../lib/lake/storage.ts";

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
