/**
 * Azure Storage connection strings (`AZURE_STORAGE_CONNECTION_STRING`), as the Azure portal and
 * Azurite print them: `Key=value` pairs separated by `;`, e.g.
 * `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=…;EndpointSuffix=core.windows.net`,
 * with a `SharedAccessSignature=…` instead of the key, explicit `BlobEndpoint=` / `DfsEndpoint=`,
 * or `UseDevelopmentStorage=true` for Azurite's defaults.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { AZURITE_ACCOUNT, AZURITE_KEY } from "./azurite.ts";

/** A parsed connection string: the endpoints and one credential. */
export interface ConnectionString {
  account: string;
  /** Blob service endpoint, without a trailing slash. */
  blobEndpoint: string;
  /** DataLake (DFS) endpoint, without a trailing slash. */
  dfsEndpoint: string;
  accountKey?: string;
  /** SAS token without its leading `?`. */
  sas?: string;
}

/** Azurite's default blob endpoint (`UseDevelopmentStorage=true`). */
const DEV_ENDPOINT = `http://127.0.0.1:10000/${AZURITE_ACCOUNT}`;

/**
 * Parses a connection string; throws a `ConfigError` naming `AZURE_STORAGE_CONNECTION_STRING`
 * and what is missing (never the value: it holds a secret).
 *
 * @example
 * ```ts
 * import { parseConnectionString } from "./connection_string.ts";
 * const c = parseConnectionString(
 *   "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey=a2V5;EndpointSuffix=core.windows.net",
 * );
 * c.blobEndpoint; // "https://shop.blob.core.windows.net"
 * c.dfsEndpoint; // "https://shop.dfs.core.windows.net"
 * ```
 */
export function parseConnectionString(text: string): ConnectionString {
  const bad = (why: string) => new ConfigError(`AZURE_STORAGE_CONNECTION_STRING ${why}`);
  const fields = new Map<string, string>();
  for (const part of text.split(";")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw bad("must be Key=value pairs separated by ';'");
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (/^true$/i.test(fields.get("usedevelopmentstorage") ?? "")) {
    const endpoint = (fields.get("developmentstorageproxyuri") ?? DEV_ENDPOINT).replace(/\/$/, "");
    return {
      account: AZURITE_ACCOUNT,
      blobEndpoint: endpoint,
      dfsEndpoint: endpoint,
      accountKey: AZURITE_KEY,
    };
  }
  const account = fields.get("accountname");
  const accountKey = fields.get("accountkey") || undefined;
  const sas = fields.get("sharedaccesssignature")?.replace(/^\?/, "") || undefined;
  const explicit = fields.get("blobendpoint")?.replace(/\/+$/, "");
  if (!accountKey && !sas) throw bad("needs an AccountKey or a SharedAccessSignature");
  if (!account && (accountKey || !explicit)) throw bad("needs an AccountName");
  const protocol = fields.get("defaultendpointsprotocol") ?? "https";
  if (!/^https?$/.test(protocol)) throw bad("DefaultEndpointsProtocol must be http or https");
  const suffix = fields.get("endpointsuffix") ?? "core.windows.net";
  const blobEndpoint = explicit ?? `${protocol}://${account}.blob.${suffix}`;
  if (!/^https?:\/\/[^/?#\s]+/.test(blobEndpoint)) throw bad("BlobEndpoint must be an http(s) URL");
  const dfsEndpoint = fields.get("dfsendpoint")?.replace(/\/+$/, "") ??
    blobEndpoint.replace(".blob.", ".dfs.");
  // Without AccountName, the endpoint names the account: in its path on Azurite
  // (http://127.0.0.1:10000/devstoreaccount1), else in its host (https://acct.blob.…).
  const endpoint = new URL(blobEndpoint);
  const name = account ?? (endpoint.pathname.split("/").find(Boolean) ??
    endpoint.hostname.split(".")[0]);
  return { account: name, blobEndpoint, dfsEndpoint, accountKey, sas };
}
