// configTable on the fake host (fake-host.mjs): each text read as its field's
// type, every error naming the value's path, the keys it reads, and the
// reject path. The same cases as the Rust SDK's config_table tests.
import assert from "node:assert/strict";
import { test } from "node:test";
import { reset } from "./fake-host.mjs";
import { ConfigError, configKeys, configTable, configTableOrReject } from "../plume.js";

const SAMPLE = {
  url: { type: "string", required: true },
  days: { type: "integer" },
  strict: { type: "boolean", default: false },
  names: { type: "array", items: { type: "string" }, default: [] },
  fields: { type: "table", values: { type: "table", fields: { value: { type: "integer", required: true } } } },
  note: { type: "string" },
};

const read = (config) => {
  reset({ config });
  return configTable(SAMPLE);
};

const error = (config) => {
  try {
    read(config);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return [e.key, e.message];
  }
  assert.fail("expected a ConfigError");
};

test("the keys are the fields in order", () => {
  assert.deepEqual(configKeys(SAMPLE), ["url", "days", "strict", "names", "fields", "note"]);
});

test("an empty table is undefined; a blank array is empty", () => {
  assert.equal(read({}), undefined);
  assert.deepEqual(read({ url: "u", names: " " }).names, []);
});

test("each text is read as its field's type", () => {
  const table = read({
    url: " https://x ",
    days: " 7 ",
    strict: "true",
    names: '["a","b"]',
    fields: '{"login":{"value":3}}',
    note: "  ",
    unread: "anything",
  });
  assert.deepEqual(table, {
    url: " https://x ",
    days: 7,
    strict: true,
    names: ["a", "b"],
    fields: { login: { value: 3 } },
    note: undefined,
  });
  assert.deepEqual(read({ url: "u", note: " given " }), {
    url: "u", days: undefined, strict: false, names: [], fields: undefined, note: "given",
  });
});

test("errors name the value and say what is wrong", () => {
  assert.deepEqual(error({ url: "u", days: "soon" }), ["days", '"soon" is not a whole number']);
  assert.deepEqual(error({ url: "u", days: "1.5" }), ["days", '"1.5" is not a whole number']);
  assert.deepEqual(error({ url: "u", strict: "yes" }), ["strict", '"yes" is not true or false']);
  assert.deepEqual(error({ url: "u", names: "a" }), ["names", 'expected an array, got "a"']);
  assert.deepEqual(error({ url: "u", names: "[1," }), ["names", "not valid JSON: Unexpected end of JSON input"]);
  assert.deepEqual(error({ url: "u", fields: '{"login":{"valu":3}}' }), [
    "fields.login.valu", "unknown field `valu`, expected `value`",
  ]);
  assert.deepEqual(error({ url: "u", fields: '{"login":{}}' }), ["fields.login", "missing field `value`"]);
  assert.deepEqual(error({ url: "u", names: '["a",2]' }), ["names[1]", "invalid type: number 2, expected a string"]);
  assert.deepEqual(error({ days: "3" }), ["", "`url` is not set: add it to the plugin's config table"]);
  assert.equal(String(new ConfigError("hosts[1]", "bad")), "hosts[1]: bad");
  assert.equal(String(new ConfigError("", "bad")), "bad");
});

test("numbers, json and defaults", () => {
  const NUMBERS = { ratio: { type: "number", required: true }, extra: { type: "json" }, warnDays: { type: "integer", default: 14 } };
  reset({ config: { ratio: " 0.5 ", extra: '[1,{"a":2}]', warnDays: "" } });
  assert.deepEqual(configTable(NUMBERS), { ratio: 0.5, extra: [1, { a: 2 }], warnDays: 14 });
  reset({ config: { ratio: "nan" } });
  assert.throws(() => configTable(NUMBERS), { key: "ratio", message: '"nan" is not a number' });
  reset({ config: { ratio: "1", extra: "a" } });
  assert.throws(() => configTable(NUMBERS), { key: "extra", message: 'expected a table or an array, got "a"' });
});

test("a field of an unknown type is the author's mistake, said as such", () => {
  reset({ config: { a: "1" } });
  assert.throws(() => configTable({ a: { type: "date" } }), /config field `a`: unknown type "date"/);
});

test("configTableOrReject refuses the declaration's errors, then check's, with help", () => {
  const rejected = (config, check) => {
    const state = reset({ config });
    assert.throws(() => configTableOrReject(SAMPLE, "(see README.md)", check), /unreachable: the host ends the instance/);
    return state.calls.filter(([n]) => n === "reject").map(([, key, message]) => [key, message]);
  };
  assert.deepEqual(rejected({ url: "u", names: '["a",2]' }), [
    ["names[1]", "invalid type: number 2, expected a string (see README.md)"],
  ]);
  const noDays = (t) => (t.days === undefined ? ["days", "set days"] : undefined);
  assert.deepEqual(rejected({ url: "u" }, noDays), [["days", "set days (see README.md)"]]);
  reset({ config: { url: "u", days: "2" } });
  assert.equal(configTableOrReject(SAMPLE, "(help)", noDays)?.days, 2);
  reset({});
  assert.equal(configTableOrReject(SAMPLE, "(help)", noDays), undefined);
});
