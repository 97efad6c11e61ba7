/**
 * Azure backends: Azurite locally and real ADLS Gen2 accounts.
 *
 * Azurite has no DFS endpoint, so writes and listings go through the Blob API (valid on real
 * hierarchical-namespace accounts too: the Confluent Azure Blob sink writes that way), while
 * reads, properties and filesystem calls stay on the DataLake client. DFS-only calls
 * (`listPaths`) are used only against a real `*.dfs.core.windows.net` account.
 *
 * Every documented credential works for both clients: an account key, a SAS token, or a
 * connection string holding either (with its own endpoints, if it names them). No secret leaves
 * this module: an error keeps only a scrubbed copy of its cause (`scrubError`), never the SDK's
 * request (whose URL holds the SAS) or headers.
 *
 * @module
 */
import {
  BlobServiceClient,
  type ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import {
  DataLakeFileSystemClient,
  DataLakeServiceClient,
  StorageSharedKeyCredential as DfsKeyCredential,
} from "@azure/storage-file-datalake";
import type { LakeConfig } from "../config/mod.ts";
import { parseConnectionString, redactSecrets, redactUrl, scrubError } from "../config/mod.ts";
import { errorMessage, LakeError } from "../errors.ts";
import { retry } from "../retry.ts";
import { checkPath, type LakeEntry, type LakeStorage } from "./storage.ts";

/** The SDKs' own retries are kept short: our callers retry with backoff and commit nothing meanwhile. */
const RETRY = { maxTries: 2, tryTimeoutInMs: 30_000, retryDelayInMs: 200, maxRetryDelayInMs: 1000 };

/** Whether an Azure or `fetch` error may pass: HTTP 5xx/408/429, or no answer at all. */
function isTransient(error: unknown): boolean {
  const e = error as { statusCode?: number; code?: string; name?: string };
  if (e?.statusCode !== undefined) {
    return e.statusCode >= 500 || e.statusCode === 408 || e.statusCode === 429;
  }
  return true; // no HTTP status: connection refused, reset, timeout
}

/** Puts larger than this go through the SDK (Put Blob itself takes up to 5000 MiB). */
const LEAN_PUT_MAX = 256 * 1024 * 1024;

/** A container SAS lives this long, and is renewed once less than half of it is left. */
const SAS_LIFETIME_MS = 24 * 3600_000;

let sdkVersion: string | undefined;

/** The REST API version the SDK speaks (`x-ms-version`), read from a SAS it signs. */
function serviceVersion(): string {
  sdkVersion ??= generateBlobSASQueryParameters(
    { containerName: "c", permissions: ContainerSASPermissions.parse("r"), expiresOn: new Date() },
    new StorageSharedKeyCredential("a", "a2V5"),
  ).version;
  return sdkVersion;
}

/** Encodes a blob name for a URL path, one segment at a time (`=` and `+` included). */
export function encodeBlobPath(name: string): string {
  return name.split("/").map(encodeURIComponent).join("/");
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number })?.statusCode === 404;
}

/** Endpoints and one credential, from whichever the configuration gives. */
interface Auth {
  account: string;
  blobUrl: string;
  dfsUrl: string;
  accountKey?: string;
  /** SAS token without its `?`. */
  sas?: string;
  /** Every secret value to keep out of errors and logs. */
  secrets: string[];
}

/** The secrets a SAS token carries: itself and its signature, decoded. */
function sasSecrets(sas: string): string[] {
  const sig = new URLSearchParams(sas).get("sig");
  return sig ? [sas, sig] : [sas];
}

/**
 * Endpoints and credential of a lake: a connection string first (its account key or SAS, its
 * endpoints), else an account key, else a SAS token.
 */
function resolveAuth(config: LakeConfig): Auth {
  let blobUrl: string;
  let dfsUrl: string;
  if (config.kind === "azurite") {
    blobUrl = dfsUrl = `http://${config.endpoint!.host}:${config.endpoint!.port}/${config.account}`;
  } else {
    blobUrl = `https://${config.account}.blob.core.windows.net`;
    dfsUrl = `https://${config.account}.dfs.core.windows.net`;
  }
  if (config.connectionString) {
    const c = parseConnectionString(config.connectionString);
    return {
      account: c.account || config.account,
      blobUrl: c.blobEndpoint,
      dfsUrl: c.dfsEndpoint,
      accountKey: c.accountKey,
      sas: c.sas,
      secrets: [
        config.connectionString,
        ...(c.accountKey ? [c.accountKey] : []),
        ...(c.sas ? sasSecrets(c.sas) : []),
      ],
    };
  }
  if (config.accountKey) {
    return {
      account: config.account,
      blobUrl,
      dfsUrl,
      accountKey: config.accountKey,
      secrets: [config.accountKey],
    };
  }
  const sas = (config.sasToken ?? "").replace(/^\?/, "");
  return { account: config.account, blobUrl, dfsUrl, sas, secrets: sas ? sasSecrets(sas) : [] };
}

/** A lake in an Azure Storage container: Azurite (`azurite://`) or ADLS Gen2 (`abfss://`). */
export class AzureLake implements LakeStorage {
  readonly description: string;
  readonly #container: ContainerClient;
  readonly #fs: DataLakeFileSystemClient;
  readonly #hns: boolean;
  readonly #prefix: string;
  /** `<blob endpoint>/<container>/` for the lean put path, or undefined to use the SDK only. */
  readonly #putBase?: string;
  /** A container SAS signer (account-key configs), or undefined with a configured SAS token. */
  readonly #signer?: { container: string; credential: StorageSharedKeyCredential };
  #sas = "";
  #sasRenewAt = 0;

  /** The configured secrets, removed from anything this lake reports. */
  readonly #secrets: string[];

  constructor(config: LakeConfig) {
    this.#hns = config.kind === "adls";
    this.#prefix = config.prefix ? `${config.prefix}/` : "";
    this.description = redactUrl(config.url);
    const auth = resolveAuth(config);
    this.#secrets = auth.secrets;
    const options = { retryOptions: RETRY };
    let blob: BlobServiceClient;
    let dfs: DataLakeServiceClient;
    if (auth.accountKey) {
      const credential = new StorageSharedKeyCredential(auth.account, auth.accountKey);
      this.#signer = { container: config.container, credential };
      blob = new BlobServiceClient(auth.blobUrl, credential, options);
      dfs = new DataLakeServiceClient(
        auth.dfsUrl,
        new DfsKeyCredential(auth.account, auth.accountKey),
        options,
      );
    } else {
      this.#sas = auth.sas ?? "";
      this.#sasRenewAt = Infinity;
      const query = this.#sas ? `?${this.#sas}` : "";
      blob = new BlobServiceClient(`${auth.blobUrl}${query}`, undefined, options);
      dfs = new DataLakeServiceClient(`${auth.dfsUrl}${query}`, undefined, options);
    }
    if (this.#signer || this.#sas) {
      this.#putBase = `${auth.blobUrl}/${encodeURIComponent(config.container)}/`;
    }
    this.#container = blob.getContainerClient(config.container);
    this.#fs = dfs.getFileSystemClient(config.container);
  }

  #fail(action: string, path: string, error: unknown): never {
    const status = (error as { statusCode?: number }).statusCode;
    const why = status ? `HTTP ${status}` : redactSecrets(errorMessage(error), this.#secrets);
    throw new LakeError(`Could not ${action} ${this.description}/${path}: ${why}`, {
      cause: scrubError(error, this.#secrets),
      retriable: isTransient(error),
    });
  }

  async init(): Promise<void> {
    try {
      await this.#fs.createIfNotExists();
    } catch (error) {
      this.#fail("create", "", error);
    }
  }

  /** The SAS for lean puts: the configured token, or a container SAS signed with the key. */
  #sasToken(): string {
    const now = Date.now();
    if (this.#signer && now >= this.#sasRenewAt) {
      this.#sas = generateBlobSASQueryParameters({
        containerName: this.#signer.container,
        permissions: ContainerSASPermissions.parse("cw"),
        expiresOn: new Date(now + SAS_LIFETIME_MS),
      }, this.#signer.credential).toString();
      this.#sasRenewAt = now + SAS_LIFETIME_MS / 2;
    }
    return this.#sas;
  }

  /**
   * One Put Blob over plain `fetch` with a SAS: the SDK's pipeline costs more CPU than the
   * upload itself for the sink's files. Tried twice on retriable errors, as the SDK would.
   */
  async #leanPut(url: string, path: string, data: Uint8Array): Promise<void> {
    try {
      await retry(() => this.#leanPutOnce(url, path, data), {
        maxTries: RETRY.maxTries,
        initialDelayMs: RETRY.retryDelayInMs,
        factor: 1,
        retriable: isTransient,
      });
    } catch (error) {
      this.#fail("write", path, error);
    }
  }

  async #leanPutOnce(url: string, path: string, data: Uint8Array): Promise<void> {
    const response = await fetch(`${url}?${this.#sasToken()}`, {
      method: "PUT",
      headers: {
        "x-ms-blob-type": "BlockBlob",
        "x-ms-version": serviceVersion(),
        "x-ms-blob-content-type": path.endsWith(".json")
          ? "application/json"
          : "application/octet-stream",
      },
      // Our buffers are never shared: the cast only narrows ArrayBufferLike for BodyInit.
      body: data as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(RETRY.tryTimeoutInMs),
    });
    await response.body?.cancel();
    if (response.status === 201) return;
    throw Object.assign(new Error(`HTTP ${response.status}`), {
      statusCode: response.status,
      code: response.headers.get("x-ms-error-code") ?? undefined,
    });
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const name = this.#prefix + checkPath(path);
    if (this.#putBase && data.byteLength <= LEAN_PUT_MAX) {
      return await this.#leanPut(this.#putBase + encodeBlobPath(name), path, data);
    }
    try {
      // One block-blob upload: the blob appears whole or not at all.
      await this.#container.getBlockBlobClient(name).uploadData(data, {
        maxSingleShotSize: 256 * 1024 * 1024,
        blobHTTPHeaders: {
          blobContentType: path.endsWith(".json") ? "application/json" : "application/octet-stream",
        },
      });
    } catch (error) {
      this.#fail("write", path, error);
    }
  }

  async get(path: string): Promise<Uint8Array> {
    const name = this.#prefix + checkPath(path);
    try {
      const buffer = await this.#fs.getFileClient(name).readToBuffer();
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      this.#fail("read", path, error);
    }
  }

  async list(prefix: string): Promise<LakeEntry[]> {
    const out: LakeEntry[] = [];
    const cut = this.#prefix.length;
    try {
      if (this.#hns) {
        const dir = (this.#prefix + prefix).replace(/\/[^/]*$/, "");
        for await (const p of this.#fs.listPaths({ path: dir || undefined, recursive: true })) {
          const name = p.name ?? "";
          if (p.isDirectory || !name.startsWith(this.#prefix + prefix)) continue;
          out.push({
            path: name.slice(cut),
            size: Number(p.contentLength ?? 0),
            lastModified: p.lastModified?.getTime() ?? 0,
          });
        }
      } else {
        for await (const b of this.#container.listBlobsFlat({ prefix: this.#prefix + prefix })) {
          out.push({
            path: b.name.slice(cut),
            size: b.properties.contentLength ?? 0,
            lastModified: b.properties.lastModified?.getTime() ?? 0,
          });
        }
      }
    } catch (error) {
      if (isNotFound(error)) return [];
      this.#fail("list", prefix, error);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async exists(path: string): Promise<boolean> {
    try {
      return await this.#fs.getFileClient(this.#prefix + checkPath(path)).exists();
    } catch (error) {
      this.#fail("check", path, error);
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await this.#container.getBlobClient(this.#prefix + checkPath(path)).deleteIfExists();
    } catch (error) {
      this.#fail("delete", path, error);
    }
  }

  async close(): Promise<void> {}
}
