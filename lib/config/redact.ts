/**
 * Secrets never reach logs or notebook outputs: every place that shows configuration goes
 * through these helpers.
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
