// Types of plume-sdk for JavaScript (plume.js). Checked by `npm test`:
// tsc over this file and test/usage.js, which uses every declaration and is
// also run by `node --test` against plume.js, so a declaration the code does
// not keep fails one or the other.

/** An HTTP error of the contract: `{tag: "connect", val: "..."}`. */
export type HttpError =
  | { tag: "timeout"; val: string }
  | { tag: "connect"; val: string }
  | { tag: "tls"; val: string }
  | { tag: "denied"; val: string }
  | { tag: "too-large"; val: string }
  | { tag: "invalid"; val: string };

/** Header names are lowercase. */
export type Headers = [string, string][];

/** A chunk of a streamed body. */
export type Chunk = { tag: "data"; val: Uint8Array } | { tag: "end" } | { tag: "idle" };

/** The JSON types `expectJsonType` takes. */
export type JsonKindName = "null" | "boolean" | "number" | "string" | "array" | "object";
export declare const JsonKind: Readonly<{ [K in JsonKindName]: K }>;

/** One certificate as the server presented it. */
export interface Certificate {
  subject: string;
  issuer: string;
  names: string[];
  /** Validity, in seconds since the Unix epoch. */
  /** Validity, in seconds since the Unix epoch. */
  notBefore: bigint;
  notAfter: bigint;
}

/** What a server presents in its TLS handshake (contract 0.1.1). */
export interface Peer {
  version: string;
  chain: Certificate[];
  chainError?: string;
  nameMatches: boolean;
}

/** A check that passed: the status its question turned on, and what it saw. */
export declare class Pass {
  constructor(status: number | undefined, detail: string);
  status: number | undefined;
  detail: string;
  /** Always "ok" (kept from when `ok` gave a plain object). */
  readonly outcome: "ok";
}

/** What a check function returns; a Halt it throws ends it as `err` or `skip`. */
export type Check = Pass | { status?: number; detail: string };

/** A check that stopped early: `err` with what went wrong, or `skip` with why not. */
export declare class Halt extends Error {
  constructor(outcome: "err" | "skip", status: number | undefined, detail: string);
  outcome: "err" | "skip";
  status: number | undefined;
  detail: string;
  static err(detail: string, status?: number): Halt;
  static skip(reason: string): Halt;
  /** Prefixes the detail with context: "signin: " + detail. */
  context(what: string): Halt;
}

/** A passed check: `ok(200, "marker found")`, or `ok(undefined, ...)`. */
export declare function ok(status: number | undefined | null, detail: string): Pass;
/** Ends the check as skipped. */
export declare function skip(reason: string): never;
/** Ends the check as failed. */
export declare function fail(status: number | undefined | null, detail: string): never;
/** `kind: message` for an HTTP error (`connect: ...`), as the host prints it. */
export declare function describeError(e: HttpError): string;

/** A whole response and its host-side assertions. */
export declare class Response {
  status: number;
  headers: Headers;
  body: Uint8Array;
  elapsedMs: number;
  expectStatus(expected: number[]): this;
  expectJson(pointer: string): this;
  expectJsonEq(pointer: string, expected: unknown): this;
  expectJsonMatch(pointer: string, regex: string): this;
  expectJsonType(pointer: string, kind: JsonKindName): this;
  expectNonEmpty(pointer: string): this;
  expectHeader(name: string): this;
  expectHeaderMatch(name: string, regex: string): this;
  expectContains(needle: string): this;
  /** The value at `pointer`: a string as is, anything else as JSON text. */
  jsonStr(pointer: string): string;
  /** The body parsed as JSON. */
  json(): unknown;
  /** The body as text (invalid UTF-8 replaced). */
  text(): string;
  /** The first value of a header (names compare case-insensitively). */
  header(name: string): string | undefined;
}

/** A body hashed by the host as it streamed. */
export declare class DigestResponse {
  status: number;
  headers: Headers;
  bytes: number;
  sha256: string;
  elapsedMs: number;
  expectStatus(expected: number[]): this;
  header(name: string): string | undefined;
}

/** An open response: headers arrived, the body is read chunk by chunk. */
export declare class Stream {
  status: number;
  headers: Headers;
  /** Time until the headers arrived. */
  elapsedMs: number;
  expectStatus(expected: number[]): this;
  expectHeaderMatch(name: string, regex: string): this;
  read(maxBytes: number, timeoutMs: number): Chunk;
  /** Requires the stream to stay open for `holdMs`; the bytes that arrived meanwhile. */
  expectOpenFor(holdMs: number): number;
  /** Reads until the body contains `needle` or `withinMs` passes; what was read. */
  readUntil(needle: string, withinMs: number): string;
}

/** A request being built: `ctx.get(url).bearer(token).send()`. */
export declare class RequestBuilder {
  header(name: string, value: string | number): this;
  bearer(token: string): this;
  json(value: unknown): this;
  body(value: string | Uint8Array): this;
  timeout(ms: number): this;
  followRedirects(hops: number): this;
  send(): Response;
  trySend(): { response: Response; error?: undefined } | { error: HttpError; response?: undefined };
  open(): Stream;
  fetchDigest(): DigestResponse;
}

/** What a running check can reach. */
export declare class Ctx {
  constructor(group: string, check: string);
  readonly group: string;
  readonly check: string;
  /** A config value; `err` naming the key when the suite does not set it. */
  config(key: string): string;
  configOpt(key: string): string | undefined;
  /** A config value that is set and not blank, trimmed. */
  configGiven(key: string): string | undefined;
  /** A secret; `skip` ("no NAME") when it is not configured. */
  secret(name: string): string;
  secretOpt(name: string): string | undefined;
  publish(key: string, value: string | number): void;
  published(group: string, key: string): string;
  recall(key: string): string;
  request(method: string, url: string): RequestBuilder;
  get(url: string): RequestBuilder;
  post(url: string): RequestBuilder;
  put(url: string): RequestBuilder;
  patch(url: string): RequestBuilder;
  delete(url: string): RequestBuilder;
  defer(label: string, request: RequestBuilder): void;
  marker(): string;
  tls(url: string): Peer;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** Masks `value` in everything the run shows from now on (see `maskSecret`). */
  maskSecret(value: string): void;
}

export declare function configValue(key: string): string | undefined;
export declare function rejectConfig(key: string, message: string): never;

/** The type a config field is read as: scalars from their text, the rest from their JSON. */
export type ConfigFieldType = "string" | "number" | "integer" | "boolean" | "array" | "table" | "json";

/** One field of the config table (or of a table inside a value). */
export interface ConfigField {
  type: ConfigFieldType;
  /** A key left out is an error saying how to set it. */
  required?: boolean;
  /** The value when the key is left out or, when not required, blank. */
  default?: unknown;
  /** An array's elements. */
  items?: ConfigField;
  /** A table's keys, and no other (`unknown field` names one more). */
  fields?: ConfigFields;
  /** A table whose every value has this type, under any key. */
  values?: ConfigField;
}

/** The config table's fields by key, as configTable reads them. */
export type ConfigFields = { readonly [key: string]: ConfigField };

/** The value a field is read as. */
export type ConfigFieldValue<F> = F extends { type: "string" } ? string
  : F extends { type: "number" | "integer" } ? number
  : F extends { type: "boolean" } ? boolean
  : F extends { type: "array"; items: infer I } ? ConfigFieldValue<I>[]
  : F extends { type: "array" } ? unknown[]
  : F extends { type: "table"; fields: infer S extends ConfigFields } ? ConfigTable<S>
  : F extends { type: "table"; values: infer V } ? Record<string, ConfigFieldValue<V>>
  : F extends { type: "table" } ? Record<string, unknown>
  : unknown;

/** The table configTable reads: a required field or one with a default is always there. */
export type ConfigTable<S extends ConfigFields> = {
  -readonly [K in keyof S]: S[K] extends { required: true } | { default: {} }
    ? ConfigFieldValue<S[K]>
    : ConfigFieldValue<S[K]> | undefined;
};

/** What is wrong with a plugin's config: the offending value's path in the table and why. */
export declare class ConfigError extends Error {
  constructor(key: string, message: string);
  /** `warn_days`, `sign_in_fields.login`, `hosts[1]`; "" for the table itself. */
  key: string;
}

/**
 * The plugin's config table read as one value from the declaration of its
 * fields, or undefined when none of its keys is set; throws a ConfigError
 * naming the offending value's path. Unknown keys of the table cannot be
 * detected: the host hands keys one at a time.
 */
export declare function configTable<const S extends ConfigFields>(fields: S): ConfigTable<S> | undefined;
/**
 * configTable, each error refused with rejectConfig (the run stops before any
 * check): the declaration's, then `check`'s (`[key, what is wrong]`). `help`
 * follows each message, e.g. "(see plugins/tls/README.md)".
 */
export declare function configTableOrReject<const S extends ConfigFields>(
  fields: S,
  help: string,
  check?: (table: ConfigTable<S>) => [string, string] | undefined,
): ConfigTable<S> | undefined;
/** The keys `fields` reads from the config table, for Plugin.config. */
export declare function configKeys(fields: ConfigFields): string[];
/**
 * Masks a value the plugin obtained (token, code, cookie, signed URL) in
 * everything the run shows from now on, in every encoding (contract 0.1.3).
 * Call it before logging or returning anything that holds the value; lines
 * already shown are not recalled. Under 4 characters it is not masked.
 */
export declare function maskSecret(value: string): void;
export declare function sha256(data: string | Uint8Array): string;

/** An incremental SHA-256 computed by the host. */
export declare class Hasher {
  constructor();
  update(data: string | Uint8Array): void;
  finish(): string;
}

/** A question that came true, and what it took. */
export declare class Settled<T> {
  constructor(value: T, attempts: number, elapsedMs: number);
  value: T;
  attempts: number;
  elapsedMs: number;
  /** "after 3 attempts in 412 ms". */
  summary(): string;
}

/**
 * Asks `attempt(n)` every `intervalMs` until it returns without an `err` or
 * `deadlineMs` passes, for a state that settles over time (eventual
 * consistency). Each miss is reported to the host as a "pending" attempt:
 * counted in the check's `attempts`, never making it flaky.
 */
export declare function eventually<T>(deadlineMs: number, intervalMs: number, attempt: (n: number) => T): Settled<T>;
/**
 * `eventually` for a question that should have held at once: each miss is
 * reported as an "erred" attempt, so a check that passes after one is flaky,
 * as one `--retries` passed is.
 */
export declare function retried<T>(deadlineMs: number, intervalMs: number, attempt: (n: number) => T): Settled<T>;

/** How an attempt that did not pass counts (contract 0.1.4). */
export type AttemptKind = "erred" | "pending";
/**
 * Reports an attempt of the running check that did not pass and is asked
 * again (contract 0.1.4): the reports count it and list it among the
 * check's earlier attempts. `eventually` and `retried` call it for you.
 */
export declare function attemptFailed(kind: AttemptKind, status: number | undefined, detail: string, elapsedMs: number): void;

export type CheckFn = (ctx: Ctx) => Check;

/** Checks that run in order on one instance, after the groups they depend on. */
export declare class Group {
  constructor(name: string, dependsOn: string[]);
  name: string;
  dependsOn: string[];
  check(name: string, fn: CheckFn): this;
}

/** The plugin as `describe()` reports it. */
export interface PluginInfo {
  name: string;
  version: string;
  groups: { name: string; checks: string[]; dependsOn: string[] }[];
  configKeys: string[];
  secrets: string[];
}

/** One check's result as `runCheck()` returns it to the host. */
export interface CheckResult {
  outcome: "ok" | "err" | "skip";
  status: number | undefined;
  detail: string;
}

/** The world's exports. */
export interface Exports {
  describe(): PluginInfo;
  runCheck(group: string, check: string): CheckResult;
}

/** A plugin: its name, version, what it reads, and its groups in order. */
export declare class Plugin {
  constructor(name: string, version: string);
  name: string;
  version: string;
  config(keys: string[]): this;
  secrets(names: string[]): this;
  group(name: string, dependsOn: string[], build: (g: Group) => Group): this;
  describe(): PluginInfo;
  runCheck(group: string, check: string): CheckResult;
  exports(): Exports;
}

export declare function runningGroup(): string | undefined;
export declare function exportPlugin(build: () => Plugin): Exports;
