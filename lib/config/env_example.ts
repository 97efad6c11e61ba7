/**
 * `.env.example`, rendered from {@linkcode SETTINGS}: the checked-in file is this text (a test
 * compares them), so a setting's name, default or help is written once.
 *
 * @module
 */
import { SETTINGS } from "./config.ts";

const HEADER = [
  "# Copy to .env (ignored by git) and fill in what you need; empty means the default.",
  "# Never commit secrets. Values already in the environment win over this file.",
];

/**
 * The text of `.env.example`: a short header, then each setting as its help (and default, if
 * any) in a comment above an empty `NAME=` line.
 *
 * @example
 * ```ts
 * import { envExample } from "./env_example.ts";
 * envExample().includes("\nLAKE_URL=\n"); // true
 * ```
 */
export function envExample(): string {
  const blocks = SETTINGS.map((s) =>
    `# ${s.help}${s.default ? ` (default: ${s.default})` : ""}\n${s.name}=`
  );
  return [HEADER.join("\n"), ...blocks].join("\n\n") + "\n";
}
