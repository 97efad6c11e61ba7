/**
 * Secrets never reach logs, errors or notebook outputs: every place that shows configuration,
 * or keeps an error that may hold a request URL, goes through these helpers.
 *
 * @module
 */

/** Names of settings whose values are secrets. */
export const SECRET_SETTINGS = [
  "KAFKA_SASL_PASSWORD",
  "AZURE_STORAGE_ACCOUNT_KEY",
  "AZURE_STORAGE_SAS_TOKEN",
  "AZURE_STORAGE_CONNECTION_STRING",
] as const;

/** What a redacted secret looks like. */
export const REDACTED = "***";

/**
 * Hides a secret, keeping only whether it is set.
 *
 * @example
 * ```ts
 * import { redact } from "./redact.ts";
 * redact("s3cr3t"); // "***"
 * redact(undefined); // "(unset)"
 * ```
 */
export function redact(value: string | undefined): string {
  return value ? REDACTED : "(unset)";
}

/**
 * Removes credentials from a URL or connection string (userinfo, `sig=`, `AccountKey=`).
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact.ts";
 * redactUrl("https://a.blob.core.windows.net/c?sv=1&sig=abc"); // "https://a.blob.core.windows.net/c?sv=1&sig=***"
 * ```
 */
export function redactUrl(text: string): string {
  return text
    .replace(/(\/\/)[^/@\s]+:[^/@\s]+@/g, "$1***@")
    .replace(/([?&;]sig=)[^&;\s]+/gi, "$1***")
    .replace(/(AccountKey=)[^;\s]+/gi, "$1***")
    .replace(/(SharedAccessSignature=)[^;\s]+/gi, "$1***");
}

/**
 * Removes credentials from text: everything {@linkcode redactUrl} removes, plus each of
 * `secrets` wherever it appears (as is and URL-encoded: a key or SAS inside a request URL).
 *
 * @example
 * ```ts
 * import { redactSecrets } from "./redact.ts";
 * redactSecrets("PUT https://a/c?sv=1&sig=abc%2Bd failed, key s3cr3t+k", ["s3cr3t+k"]);
 * // "PUT https://a/c?sv=1&sig=*** failed, key ***"
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * A copy of an error that is safe to keep, print or log: its name, message and stack with
 * credentials removed ({@linkcode redactSecrets}), the HTTP status and error code kept, and
 * nothing else: no request, response or headers (the Azure SDK's errors hold the request URL
 * with its SAS, and its headers).
 *
 * @example
 * ```ts
 * import { scrubError } from "./redact.ts";
 * const raw = Object.assign(new Error("GET https://a/c?sig=abc failed"), { statusCode: 403, request: {} });
 * const safe = scrubError(raw) as Error & { statusCode?: number };
 * safe.message; // "GET https://a/c?sig=*** failed"
 * safe.statusCode; // 403
 * "request" in safe; // false
 * ```
 */
export function scrubError(error: unknown, secrets: readonly string[] = []): Error {
  const e = error as { name?: unknown; message?: unknown; stack?: unknown };
  const message = redactSecrets(
    typeof e?.message === "string" ? e.message : String(error),
    secrets,
  );
  const safe = new Error(message);
  safe.name = typeof e?.name === "string" ? e.name : "Error";
  safe.stack = typeof e?.stack === "string"
    ? redactSecrets(e.stack, secrets)
    : `${safe.name}: ${message}`;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode === "number") Object.assign(safe, { statusCode });
  if (typeof code === "string" || typeof code === "number") Object.assign(safe, { code });
  return safe;
}
