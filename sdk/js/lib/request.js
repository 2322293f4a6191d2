// RequestBuilder: `ctx.get(url).bearer(token).send()`, the contract's
// request record built up and sent through plume:check/http.
import * as http from "plume:check/http@0.1.4";
import { httpCall, unwrap } from "./outcome.js";
import { DigestResponse, Response } from "./response.js";
import { Stream } from "./stream.js";

const encoder = new TextEncoder();

/** A body as bytes: a string is UTF-8 encoded. */
export function bytes(body) {
  if (body === undefined || body === null) return undefined;
  return typeof body === "string" ? encoder.encode(body) : body;
}

/** A request being built: `ctx.get(url).bearer(token).send()`. */
export class RequestBuilder {
  constructor(method, url) {
    this.request = { method, url, headers: [], body: undefined, timeoutMs: undefined, redirects: { tag: "none" } };
  }
  header(name, value) {
    this.request.headers.push([name, String(value)]);
    return this;
  }
  bearer(token) {
    return this.header("authorization", `Bearer ${token}`);
  }
  json(value) {
    this.request.body = encoder.encode(JSON.stringify(value));
    return this.header("content-type", "application/json");
  }
  body(value) {
    this.request.body = bytes(value);
    return this;
  }
  timeout(ms) {
    this.request.timeoutMs = ms;
    return this;
  }
  followRedirects(hops) {
    this.request.redirects = { tag: "follow", val: hops };
    return this;
  }
  /** Sends and reads the whole body; an HTTP error ends the check as `err`. */
  send() {
    return new Response(httpCall(() => http.send(this.request)));
  }
  /** Sends; returns `{response}` or `{error}` (a `{tag, val}` HTTP error) for inspection. */
  trySend() {
    const r = unwrap(() => http.send(this.request));
    return "error" in r ? { error: r.error } : { response: new Response(r.value) };
  }
  /** Sends and returns once the headers arrive. */
  open() {
    return new Stream(httpCall(() => http.open(this.request)));
  }
  /** Streams the body through SHA-256 on the host. */
  fetchDigest() {
    return new DigestResponse(httpCall(() => http.fetchDigest(this.request)));
  }
}
