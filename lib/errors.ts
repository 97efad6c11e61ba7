/**
 * One error hierarchy for the whole workspace.
 *
 * Every error carries an optional `cause` and a `retriable` flag: only retriable errors are
 * retried (see `lib/retry.ts`). Messages start with a capital and
 * name the setting, field or file that is wrong.
 *
 * @module
 */

/** Options shared by every workspace error. */
export interface WorkspaceErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /**
   * Whether trying again may succeed (network, broker or lake briefly away).
   * @default false
   */
  retriable?: boolean;
}

/** Base class of every error the workspace throws on purpose. */
export class WorkspaceError extends Error {
  /** Whether trying again may succeed. */
  readonly retriable: boolean;

  constructor(message: string, options: WorkspaceErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** A setting is missing or malformed; raised before any work starts. */
export class ConfigError extends WorkspaceError {}

/** A command-line flag or subcommand is wrong; the CLI prints usage and exits 2. */
export class UsageError extends WorkspaceError {}

/** The local stack (Kafka, Azurite) could not be started, stopped or reached. */
export class StackError extends WorkspaceError {}

/** A record does not match its topic's schema; `path` names the failing field. */
export class SchemaError extends WorkspaceError {
  /** The failing field path, e.g. `items[2].price`. */
  readonly path: string;
  constructor(path: string, message: string, options: WorkspaceErrorOptions = {}) {
    super(`${path ? `${path}: ` : ""}${message}`, options);
    this.path = path;
  }
}

/** Talking to Kafka failed. */
export class KafkaError extends WorkspaceError {}

/** Reading or writing the lake failed. */
export class LakeError extends WorkspaceError {}

/** A notebook, transform or parity step failed. */
export class PipelineError extends WorkspaceError {}

/** The message of any thrown value, on one line. */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}
