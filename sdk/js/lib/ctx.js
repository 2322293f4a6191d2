// Ctx: what a check can reach (config, secrets, group values, HTTP,
// cleanups, logs, markers, masks, TLS facts), and what the function that builds
// the Plugin can (configValue, rejectConfig), and the host's SHA-256.
import * as cleanup from "plume:check/cleanup@0.1.4";
import * as config from "plume:check/config@0.1.4";
import * as digest from "plume:check/digest@0.1.4";
import * as log from "plume:check/log@0.1.4";
import * as tls from "plume:check/tls@0.1.4";
import { fail, httpCall, skip, unwrap } from "./outcome.js";
import { RequestBuilder, bytes } from "./request.js";

/** What a running check can reach. */
export class Ctx {
  constructor(group, check) {
    this.group = group;
    this.check = check;
  }
  config(key) {
    const v = config.get(key);
    if (v === undefined || v === null) fail(undefined, `config \`${key}\` is not set: add it to the plugin's config table in the suite file`);
    return v;
  }
  configOpt(key) {
    return config.get(key) ?? undefined;
  }
  /** A config value that is set and not blank, trimmed: undefined for the empty string `${env:X:-}` gives when X is unset. */
  configGiven(key) {
    const v = config.get(key)?.trim();
    return v ? v : undefined;
  }
  secret(name) {
    const v = config.secret(name);
    if (v === undefined || v === null) skip(`no ${name}`);
    return v;
  }
  /** A secret, or undefined when it is not configured (for optional ones). */
  secretOpt(name) {
    return config.secret(name) ?? undefined;
  }
  publish(key, value) {
    config.publish(key, String(value));
  }
  published(group, key) {
    const r = unwrap(() => config.published(group, key));
    if ("error" in r) skip(r.error);
    return r.value;
  }
  recall(key) {
    const r = unwrap(() => config.published(this.group, key));
    if ("error" in r) skip(`no \`${key}\`: the check of group ${this.group} that makes it did not pass`);
    return r.value;
  }
  request(method, url) {
    return new RequestBuilder(method, url);
  }
  get(url) {
    return this.request("GET", url);
  }
  post(url) {
    return this.request("POST", url);
  }
  put(url) {
    return this.request("PUT", url);
  }
  patch(url) {
    return this.request("PATCH", url);
  }
  delete(url) {
    return this.request("DELETE", url);
  }
  /** Registers a request the host runs when the run ends, newest first. */
  defer(label, request) {
    cleanup.defer(label, request.request);
  }
  marker() {
    return log.marker();
  }
  /**
   * What `url`'s server presents in its TLS handshake (contract 0.1.1):
   * `{ version, chain: [{ subject, issuer, names, notBefore, notAfter }],
   * chainError, nameMatches }`, reported even when the certificate would be refused.
   */
  tls(url) {
    return httpCall(() => tls.inspect(url, undefined));
  }
  debug(message) {
    log.write("debug", String(message));
  }
  info(message) {
    log.write("info", String(message));
  }
  warn(message) {
    log.write("warn", String(message));
  }
  /** Masks `value` in everything the run shows from now on: see maskSecret. */
  maskSecret(value) {
    maskSecret(value);
  }
}

/**
 * Masks a value the plugin obtained (a token, a code, a cookie, a signed URL)
 * in everything the run shows from now on, in every encoding, as a configured
 * secret is (contract 0.1.3, GitHub Actions' `::add-mask::`). Call it the
 * moment the value arrives, before logging or returning anything that holds
 * it: lines already shown are not recalled. A value shorter than 4 characters
 * is not masked (the host logs a warning); a plugin may mask at most 256
 * values, 256 KiB altogether, per run.
 */
export function maskSecret(value) {
  log.mask(String(value));
}

/**
 * A config value outside any check: for the function that builds the Plugin
 * (see exportPlugin), which runs before checks do.
 */
export function configValue(key) {
  return config.get(key) ?? undefined;
}

/**
 * Refuses the plugin's config (contract 0.1.2): `key` is the offending value's
 * path inside the plugin's config table (`checks[3].expect`, "" for the table
 * itself), `message` what is wrong and how to fix it. Called while the Plugin
 * is built, plume stops before any check with one line naming the suite
 * file's line and column. It never returns: the host ends the instance.
 */
export function rejectConfig(key, message) {
  config.reject(String(key), String(message));
  throw new Error("unreachable: the host ends the instance in config.reject");
}

/** Lowercase hex SHA-256, computed by the host. */
export function sha256(data) {
  return digest.sha256(bytes(data));
}

/** An incremental SHA-256 computed by the host. */
export class Hasher {
  constructor() {
    this.inner = new digest.Hasher();
  }
  update(data) {
    this.inner.update(bytes(data));
  }
  /** The hex digest of everything passed to `update` so far. */
  finish() {
    return this.inner.finish();
  }
}
