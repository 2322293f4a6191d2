// The registry of a plugin's groups and checks, and the world's exports:
// `plugin.exports()` for a plugin built as the module loads, exportPlugin for
// one built when the host first asks (so it may read configValue and
// runningGroup, as Rust's export_plugin!).
import { Ctx } from "./ctx.js";
import { Halt } from "./outcome.js";

/** Checks that run in order on one instance, after the groups they depend on. */
export class Group {
  constructor(name, dependsOn) {
    this.name = name;
    this.dependsOn = dependsOn;
    this.checks = [];
  }
  /** Registers a check; checks run in the order they are registered. */
  check(name, fn) {
    this.checks.push([name, fn]);
    return this;
  }
}

/** A plugin: its name, version, what it reads, and its groups in order. */
export class Plugin {
  constructor(name, version) {
    this.name = name;
    this.version = version;
    this.configKeys = [];
    this.secretNames = [];
    this.groups = [];
  }
  /** Declares the config keys the plugin reads (shown by `plume inspect`). */
  config(keys) {
    this.configKeys.push(...keys);
    return this;
  }
  /** Declares the secrets the plugin reads. */
  secrets(names) {
    this.secretNames.push(...names);
    return this;
  }
  /** Adds a group that runs after `dependsOn`; `build` registers its checks. */
  group(name, dependsOn, build) {
    this.groups.push(build(new Group(name, dependsOn)));
    return this;
  }
  /** What `describe()` returns: the plugin's groups, checks and what it reads. */
  describe() {
    return {
      name: this.name,
      version: this.version,
      groups: this.groups.map((g) => ({ name: g.name, checks: g.checks.map(([n]) => n), dependsOn: g.dependsOn })),
      configKeys: this.configKeys,
      secrets: this.secretNames,
    };
  }
  /**
   * Runs one check, as `runCheck()` returns it: `{outcome, status, detail}`.
   * A thrown Halt is its outcome; anything else thrown is the check's `err`.
   */
  runCheck(group, check) {
    // One index, built on the first call: a lookup per check stays constant
    // time however many checks a group has.
    if (!this.index) {
      this.index = new Map();
      for (const g of this.groups) {
        const checks = new Map();
        for (const entry of g.checks) if (!checks.has(entry[0])) checks.set(entry[0], entry);
        if (!this.index.has(g.name)) this.index.set(g.name, checks);
      }
    }
    const found = this.index.get(group)?.get(check);
    if (!found) return { outcome: "err", status: undefined, detail: `plugin ${this.name} has no check ${group}.${check}` };
    try {
      const result = found[1](new Ctx(group, check));
      return { outcome: "ok", status: result?.status ?? undefined, detail: String(result?.detail ?? "") };
    } catch (e) {
      if (e instanceof Halt) return { outcome: e.outcome, status: e.status ?? undefined, detail: e.detail };
      return { outcome: "err", status: undefined, detail: `uncaught ${e?.name ?? "error"}: ${e?.message ?? e}` };
    }
  }
  /** The world's exports of this plugin as built: `export const { describe, runCheck } = plugin.exports();` */
  exports() {
    return { describe: () => this.describe(), runCheck: (group, check) => this.runCheck(group, check) };
  }
}

/** The group being built for while a build function runs, read by runningGroup. */
let buildingFor;

/**
 * The group this instance was made to run, while the function given to
 * exportPlugin builds the Plugin for it; undefined when it builds for
 * `describe()` (every group), or outside a build.
 *
 * The host gives every group a fresh instance, so a plugin whose groups are
 * costly to set up may register only this group's checks. Should a host ask
 * the same instance for another group, the whole plugin is built for it.
 */
export function runningGroup() {
  return buildingFor;
}

function buildFor(build, scope) {
  buildingFor = scope;
  try {
    return build();
  } finally {
    buildingFor = undefined;
  }
}

/**
 * The world's exports of the plugin `build` returns, built when the host
 * first asks (not while the module loads, when no host is there yet), so
 * `build` may read configValue and runningGroup, as Rust's `export_plugin!`:
 * `export const { describe, runCheck } = exportPlugin(plugin);`
 */
export function exportPlugin(build) {
  let whole;
  let scoped;
  const wholePlugin = () => (whole ??= buildFor(build, undefined));
  const forGroup = (group) => {
    if (whole) return whole;
    scoped ??= { group, plugin: buildFor(build, group) };
    return scoped.group === group ? scoped.plugin : wholePlugin();
  };
  return {
    describe: () => wholePlugin().describe(),
    runCheck: (group, check) => forGroup(group).runCheck(group, check),
  };
}
