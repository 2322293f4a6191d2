// Stream: a response whose headers arrived and whose body is read in
// chunks, each read with its own deadline, so a check can tell "nothing
// before the deadline" from "200 headers arrived, then the stream stayed open".
import * as assert from "plume:check/assert@0.1.4";
import * as clock from "plume:check/clock@0.1.4";
import { fail, halt, httpCall } from "./outcome.js";

const decoder = new TextDecoder();

/** An open response: headers arrived, the body is read chunk by chunk. */
export class Stream {
  constructor([head, body]) {
    this.status = head.status;
    this.headers = head.headers;
    this.elapsedMs = head.elapsedMs;
    this.body = body;
  }
  /** When the status is not expected, up to 2 KiB of the body (what arrives within 250 ms) goes into the failure. */
  expectStatus(expected) {
    if (expected.includes(this.status)) return this;
    const excerpt = this.excerpt(2048, 250);
    halt(this.status, () => assert.statusIn(this.status, Uint16Array.from(expected), excerpt));
    return this;
  }
  excerpt(max, withinMs) {
    const start = clock.nowMs();
    const parts = [];
    let size = 0;
    while (size < max) {
      const left = withinMs - Number(clock.nowMs() - start);
      if (left <= 0) break;
      let chunk;
      try {
        chunk = this.body.read(max - size, left);
      } catch (_) {
        break;
      }
      if (chunk.tag !== "data") break;
      parts.push(chunk.val);
      size += chunk.val.length;
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  expectHeaderMatch(name, regex) {
    halt(this.status, () => assert.headerMatches(this.headers, name, regex));
    return this;
  }
  /** `{tag: "data", val}`, `{tag: "end"}` or `{tag: "idle"}` within `timeoutMs`. */
  read(maxBytes, timeoutMs) {
    return httpCall(() => this.body.read(maxBytes, timeoutMs));
  }
  /** Requires the stream to stay open for `holdMs`; returns the bytes that arrived meanwhile. */
  expectOpenFor(holdMs) {
    const start = clock.nowMs();
    let received = 0;
    for (;;) {
      const left = holdMs - Number(clock.nowMs() - start);
      if (left <= 0) return received;
      const chunk = this.read(65536, left);
      if (chunk.tag === "data") received += chunk.val.length;
      if (chunk.tag === "end") {
        const after = Number(clock.nowMs() - start);
        fail(this.status, `the stream closed after ${after} ms (${received} bytes); expected it open for ${holdMs} ms`);
      }
    }
  }
  /** Reads until the body contains `needle` or `withinMs` passes; returns what was read. */
  readUntil(needle, withinMs) {
    const start = clock.nowMs();
    let seen = "";
    for (;;) {
      if (seen.includes(needle)) return seen;
      const left = withinMs - Number(clock.nowMs() - start);
      const chunk = left > 0 ? this.read(65536, left) : { tag: "idle" };
      if (chunk.tag === "data") {
        seen += decoder.decode(chunk.val);
        continue;
      }
      const ended = chunk.tag === "end" ? "the stream ended" : "timed out";
      const after = Number(clock.nowMs() - start);
      fail(this.status, `${ended} after ${after} ms without ${JSON.stringify(needle)}; read: ${seen.slice(0, 160)}`);
    }
  }
}
