// The plugin's config table read as one typed value, from a declaration of
// its fields, and the keys that declaration names: the twin of the Rust
// SDK's config_table (sdk/rust/src/config_table.rs).
//
// The host hands a plugin its config one key at a time (`config.get`): a
// scalar as its text, a table or an array as JSON text. configTable asks for
// exactly the declared fields and reads what it gets, so a plugin keeps one
// declaration for its config instead of a list of keys beside the code that
// reads them. Unknown keys of the table cannot be detected: the host hands
// keys one at a time, so a key no field declares is never asked for (inside
// a value, a table declared with `fields` refuses a key it does not declare).
//
// Guarantees:
// - A field's text is read the way the suite file wrote it: a number or a
//   boolean from its text, a string as it is, a table or an array from its
//   JSON; a field that is not required is unset when its text is blank
//   (`${env:X:-}` with `X` unset) and trimmed when given; a blank array or
//   table is empty.
// - Every error is a ConfigError naming the offending value's path in the
//   table (`sign_in_fields.login`, `hosts[1]`; empty for the table itself)
//   and saying what is wrong (a required key left out: how to set it), with
//   no position in the host's JSON text.
// - configKeys lists exactly the keys configTable reads.
import * as config from "plume:check/config@0.1.4";
import { rejectConfig } from "./ctx.js";

/** What is wrong with a plugin's config: the value's path in the table and why. */
export class ConfigError extends Error {
  constructor(key, message) {
    super(message);
    this.name = "ConfigError";
    /** `warn_days`, `sign_in_fields.login`, `hosts[1]`; "" for the table itself. */
    this.key = key;
  }
  toString() {
    return this.key === "" ? this.message : `${this.key}: ${this.message}`;
  }
}

/** The keys `fields` reads from the config table, for Plugin.config. */
export function configKeys(fields) {
  return Object.keys(fields);
}

/**
 * The plugin's config table as an object of `fields`' values, or undefined
 * when none of its keys is set; throws a ConfigError naming the value.
 */
export function configTable(fields) {
  const keys = configKeys(fields);
  const texts = keys.map((key) => config.get(key) ?? undefined);
  if (keys.length > 0 && texts.every((text) => text === undefined)) return undefined;
  const table = {};
  let missing;
  keys.forEach((key, i) => {
    const spec = fields[key];
    const text = texts[i];
    if (text === undefined || (!spec.required && text.trim() === "")) {
      if (spec.required && text === undefined) missing ??= key;
      table[key] = spec.default;
      return;
    }
    table[key] = fromText(spec, spec.required ? text : text.trim(), key);
  });
  if (missing !== undefined) {
    throw new ConfigError("", `\`${missing}\` is not set: add it to the plugin's config table`);
  }
  return table;
}

/**
 * configTable, each error refused with rejectConfig (the run stops before any
 * check, naming the value): the declaration's, then `check`'s (`[key, what is
 * wrong]`, for what the declaration alone does not refuse). `help` follows
 * each message, e.g. "(see plugins/tls/README.md)".
 */
export function configTableOrReject(fields, help, check = () => undefined) {
  const refuse = (key, message) => rejectConfig(key, `${message} ${help}`);
  let table;
  try {
    table = configTable(fields);
  } catch (e) {
    if (e instanceof ConfigError) refuse(e.key, e.message);
    throw e;
  }
  if (table === undefined) return undefined;
  const problem = check(table);
  if (problem) refuse(problem[0], problem[1]);
  return table;
}

const quoted = (text) => JSON.stringify(text);

/** One key's text as its field's type. */
function fromText(spec, text, path) {
  switch (spec.type) {
    case "string":
      return text;
    case "number":
    case "integer": {
      const n = Number(text.trim());
      const whole = spec.type === "integer";
      if (text.trim() === "" || !(whole ? Number.isSafeInteger(n) : Number.isFinite(n))) {
        throw new ConfigError(path, `${quoted(text)} is not ${whole ? "a whole number" : "a number"}`);
      }
      return n;
    }
    case "boolean": {
      const t = text.trim();
      if (t === "true" || t === "false") return t === "true";
      throw new ConfigError(path, `${quoted(text)} is not true or false`);
    }
    case "array":
    case "table":
    case "json": {
      const what = { array: "an array", table: "a table", json: "a table or an array" }[spec.type];
      const t = text.trim();
      if (t === "" && spec.type !== "json") return fromJson(spec, spec.type === "array" ? [] : {}, path);
      if (!(t.startsWith("[") || t.startsWith("{"))) throw new ConfigError(path, `expected ${what}, got ${quoted(text)}`);
      let value;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new ConfigError(path, `not valid JSON: ${String(e.message).replace(/ in JSON at position.*$/, "")}`);
      }
      return fromJson(spec, value, path);
    }
    default:
      throw unknownType(spec, path);
  }
}

/** A declaration's mistake, not the suite's: a TypeError for the plugin's author. */
const unknownType = (spec, path) =>
  new TypeError(`config field \`${path}\`: unknown type ${quoted(spec.type)} (string, number, integer, boolean, array, table or json)`);

const kindOf = (v) =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "a table" : `${typeof v} ${JSON.stringify(v)}`;

/** A scalar inside JSON: the test it passes and what it is said to be. */
const JSON_SCALARS = {
  string: [(v) => typeof v === "string", "a string"],
  number: [(v) => typeof v === "number", "a number"],
  integer: [Number.isSafeInteger, "a whole number"],
  boolean: [(v) => typeof v === "boolean", "true or false"],
};

/** A value inside a table or an array (JSON) as its declared type. */
function fromJson(spec, value, path) {
  const expected = (what) => new ConfigError(path, `invalid type: ${kindOf(value)}, expected ${what}`);
  const scalar = JSON_SCALARS[spec.type];
  if (scalar) {
    if (!scalar[0](value)) throw expected(scalar[1]);
    return value;
  }
  switch (spec.type) {
    case "array":
      if (!Array.isArray(value)) throw expected("an array");
      return spec.items ? value.map((v, i) => fromJson(spec.items, v, `${path}[${i}]`)) : value;
    case "table":
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw expected("a table");
      if (spec.fields) return record(spec.fields, value, path);
      if (spec.values) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJson(spec.values, v, `${path}.${k}`)]));
      }
      return value;
    case "json":
      return value;
    default:
      throw unknownType(spec, path);
  }
}

/** A table inside a value with the keys `fields` declares, and no other. */
function record(fields, value, path) {
  const keys = Object.keys(fields);
  for (const key of Object.keys(value)) {
    if (!(key in fields)) {
      const known = keys.map((k) => `\`${k}\``);
      const expected = known.length === 1 ? known[0] : `one of ${known.join(", ")}`;
      throw new ConfigError(`${path}.${key}`, `unknown field \`${key}\`, expected ${expected}`);
    }
  }
  const out = {};
  for (const key of keys) {
    const spec = fields[key];
    const v = value[key];
    if (v === undefined || v === null) {
      if (spec.required) throw new ConfigError(path, `missing field \`${key}\``);
      out[key] = spec.default;
    } else {
      out[key] = fromJson(spec, v, `${path}.${key}`);
    }
  }
  return out;
}
