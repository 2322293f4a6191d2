// Response and DigestResponse and their assertions. Every assertion runs on
// the host (plume:check/assert), so a failure reads the same from every
// guest language.
import * as assert from "plume:check/assert@0.1.4";
import { Halt, halt } from "./outcome.js";

const decoder = new TextDecoder();

/** The JSON types `expectJsonType` takes: `JsonKind.string`... */
export const JsonKind = Object.freeze({
  null: "null",
  boolean: "boolean",
  number: "number",
  string: "string",
  array: "array",
  object: "object",
});

function findHeader(headers, name) {
  const want = name.toLowerCase();
  const hit = headers.find(([k]) => k.toLowerCase() === want);
  return hit ? hit[1] : undefined;
}

/** A whole response and its host-side assertions. */
export class Response {
  constructor(r) {
    this.status = r.status;
    this.headers = r.headers;
    this.body = r.body;
    this.elapsedMs = r.elapsedMs;
  }
  check(fn) {
    halt(this.status, fn);
    return this;
  }
  expectStatus(expected) {
    return this.check(() => assert.statusIn(this.status, Uint16Array.from(expected), this.body));
  }
  expectJson(pointer) {
    return this.check(() => assert.jsonExists(this.body, pointer));
  }
  expectJsonEq(pointer, expected) {
    return this.check(() => assert.jsonEquals(this.body, pointer, JSON.stringify(expected)));
  }
  expectJsonMatch(pointer, regex) {
    return this.check(() => assert.jsonMatches(this.body, pointer, regex));
  }
  expectJsonType(pointer, kind) {
    return this.check(() => assert.jsonType(this.body, pointer, kind));
  }
  expectNonEmpty(pointer) {
    return this.check(() => assert.jsonNonEmpty(this.body, pointer));
  }
  expectHeader(name) {
    return this.check(() => assert.headerPresent(this.headers, name));
  }
  expectHeaderMatch(name, regex) {
    return this.check(() => assert.headerMatches(this.headers, name, regex));
  }
  expectContains(needle) {
    return this.check(() => assert.bodyContains(this.body, needle));
  }
  jsonStr(pointer) {
    return halt(this.status, () => assert.jsonGet(this.body, pointer));
  }
  json() {
    try {
      return JSON.parse(this.text());
    } catch (e) {
      throw new Halt("err", this.status, `expected a JSON body: ${e.message}`);
    }
  }
  text() {
    return decoder.decode(this.body);
  }
  header(name) {
    return findHeader(this.headers, name);
  }
}

/** A body hashed by the host as it streamed. */
export class DigestResponse {
  constructor(d) {
    this.status = d.status;
    this.headers = d.headers;
    this.bytes = Number(d.bytes);
    this.sha256 = d.sha256;
    this.elapsedMs = d.elapsedMs;
  }
  expectStatus(expected) {
    halt(this.status, () => assert.statusIn(this.status, Uint16Array.from(expected), new Uint8Array()));
    return this;
  }
  header(name) {
    return findHeader(this.headers, name);
  }
}
