//! The suite file, `plume.toml`: what to run, against what, with which limits.
//!
//! Reading happens in two steps: [`SuiteFile::load`] parses and checks the
//! TOML, then [`SuiteFile::resolve`] picks the environment, applies `--var`
//! and interpolates every `${...}` value, giving a [`Suite`] ready to run.
//!
//! ```toml
//! name = "demo"
//! ceiling = "60s"            # hard limit for the whole run
//! check-timeout = "10s"      # default limit for one check
//! retries = 1                # try a check that erred once more (flaky infrastructure)
//! default-env = "local"
//!
//! [env.local]
//! admin_url = "http://127.0.0.1:7701"
//!
//! [plugins.demo]
//! path = "plugin.wasm"       # relative to this file
//! allow-hosts = ["${admin_url}"]
//! groups = ["health", "auth"]  # optional: run only these
//! config = { base_url = "${admin_url}" }
//! secrets = { admin_password = { env = "SMOKE_ADMIN_PASSWORD" } }
//! ```

pub mod interpolate;
pub mod locate;
mod plugin;
#[cfg(feature = "schema")]
pub mod schema;

pub use plugin::{
    BUILTIN_PACKS, BUILTIN_SCHEME, OCI_SCHEME, OciSource, PluginEntry, SecretSource, builtin_pack,
    builtin_pack_list, manifest_digest,
};
use plugin::{RawPlugin, resolve_plugin, scalar};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::error::PlumeError;
use crate::limits::Limits;
use crate::limits::MAX_RETRIES;
use crate::suite::interpolate::{Values, interpolate};

const MIB: u64 = 1024 * 1024;

/// The suite file as written: what to run, against what, with which limits.
/// Every key but `plugins` is optional.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSuite {
    /// The suite's name in reports (default: the suite file's folder name).
    name: Option<String>,
    /// Hard limit for the whole run, e.g. "60s" or "2m" (default 60s; `--ceiling` overrides it).
    ceiling: Option<String>,
    /// Limit for each check, e.g. "10s" or "500ms" (default 10s; `--check-timeout` overrides it).
    check_timeout: Option<String>,
    /// Times a check that erred is tried again on its instance, 0 to 10
    /// (default 0); one that then passes is reported flaky. `--retries` overrides it.
    #[cfg_attr(feature = "schema", schemars(range(max = 10)))]
    retries: Option<u32>,
    /// Time the cleanups get after the checks end, e.g. "10s" (default 10s).
    cleanup_budget: Option<String>,
    /// Memory limit of each plugin instance, all its memories together, in MiB (default 64, at most 4096).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 4096)))]
    memory_mib: Option<u64>,
    /// Largest body a plugin's request may read, in MiB; a larger one is `too-large` (default 16).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    max_body_mib: Option<u64>,
    /// Largest body `fetch-digest` may hash, in MiB (default 4096).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    max_digest_mib: Option<u64>,
    /// Requests and open streams one plugin may have in flight (default 16).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    max_connections: Option<usize>,
    /// Instances one plugin holds at once; its other groups wait for a slot (default 3).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    max_instances: Option<usize>,
    /// Groups one plugin may describe (default 1000).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    max_groups: Option<usize>,
    /// Checks one plugin may describe (default 100000).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    max_checks: Option<usize>,
    /// KiB one plugin may publish for later checks in a run (default 1024).
    max_published_kib: Option<u64>,
    /// Cleanups one plugin may register (default 1000).
    max_cleanups: Option<usize>,
    /// KiB of the requests of one plugin's cleanups (default 1024).
    max_cleanup_kib: Option<u64>,
    /// The environment used without `--env`; optional when there is one `[env.NAME]` table.
    default_env: Option<String>,
    /// URLs that must answer (any status) before any check runs, e.g. ["${base_url}/health"].
    #[serde(default)]
    preflight: Vec<String>,
    /// What to tell the user when a preflight URL does not answer, e.g. how to start the service.
    hint: Option<String>,
    /// Environments by name: each a table of values for `${name}` (strings, numbers or booleans);
    /// `--var name=value` overrides them.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "BTreeMap<String, schema::EnvValues>")
    )]
    env: BTreeMap<String, BTreeMap<String, toml::Value>>,
    /// The plugins to run, by name: `[plugins.NAME]` with at least a `path`.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(required, length(min = 1)))]
    plugins: BTreeMap<String, RawPlugin>,
}

/// A parsed suite file, before an environment is chosen.
#[derive(Debug)]
pub struct SuiteFile {
    path: PathBuf,
    raw: RawSuite,
}

/// A suite ready to run: one environment chosen, every value interpolated.
#[derive(Debug, Clone)]
pub struct Suite {
    pub name: String,
    pub path: PathBuf,
    pub env_name: Option<String>,
    /// Every bound of the run: times, memory, network caps, quotas.
    pub limits: Limits,
    /// URLs that must answer before any check runs.
    pub preflight: Vec<String>,
    /// What to tell the user when a preflight URL does not answer.
    pub hint: Option<String>,
    pub plugins: Vec<PluginEntry>,
}

/// Command-line choices that shape how a suite resolves.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub env: Option<String>,
    pub vars: Vec<(String, String)>,
    pub ceiling: Option<Duration>,
    pub check_timeout: Option<Duration>,
    pub retries: Option<u32>,
}

impl SuiteFile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, PlumeError> {
        let text = std::fs::read_to_string(path).map_err(|e| PlumeError::SuiteUnreadable {
            path: path.to_owned(),
            reason: io_reason(&e),
        })?;
        Self::parse(path, &text)
    }

    /// Parses suite text; `path` names it in errors and anchors relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Self, PlumeError> {
        let raw: RawSuite = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            PlumeError::SuiteSyntax {
                path: path.to_owned(),
                line,
                column,
                message: e.message().trim().replace('\n', " "),
            }
        })?;
        if raw.plugins.is_empty() {
            return Err(invalid(
                path,
                "no plugins: add a [plugins.NAME] table with a `path`",
            ));
        }
        Ok(SuiteFile {
            path: path.to_owned(),
            raw,
        })
    }

    /// The environments the suite defines, in name order.
    pub fn env_names(&self) -> Vec<String> {
        self.raw.env.keys().cloned().collect()
    }

    /// Picks the environment, applies overrides and interpolates every value.
    pub fn resolve(&self, overrides: &Overrides) -> Result<Suite, PlumeError> {
        let path = &self.path;
        let env_name = self.choose_env(overrides.env.as_deref())?;
        let mut values = Values::default();
        if let Some(name) = &env_name {
            for (key, value) in &self.raw.env[name] {
                let place = format!("env.{name}.{key}");
                values.insert(key.clone(), scalar(value, &place)?);
            }
        }
        for (key, value) in &overrides.vars {
            values.insert(key.clone(), value.clone());
        }

        let limits = self.limits(overrides)?;
        let mut preflight = Vec::new();
        for (i, url) in self.raw.preflight.iter().enumerate() {
            preflight.push(interpolate(url, &values, &format!("preflight[{i}]"))?);
        }
        let hint = match &self.raw.hint {
            Some(h) => Some(interpolate(h, &values, "hint")?),
            None => None,
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let mut plugins = Vec::new();
        for (name, raw) in &self.raw.plugins {
            plugins.push(resolve_plugin(name, raw, base, &values)?);
        }
        Ok(Suite {
            name: self.raw.name.clone().unwrap_or_else(|| stem(path)),
            path: path.clone(),
            env_name,
            limits,
            preflight,
            hint,
            plugins,
        })
    }

    /// The suite's limits over the defaults, then the command line's.
    fn limits(&self, overrides: &Overrides) -> Result<Limits, PlumeError> {
        let path = &self.path;
        let raw = &self.raw;
        let d = Limits::default();
        let ceiling = match overrides.ceiling {
            Some(t) => t,
            None => duration(path, "ceiling", &raw.ceiling, d.ceiling)?,
        };
        let check_timeout = match overrides.check_timeout {
            Some(t) => t,
            None => duration(path, "check-timeout", &raw.check_timeout, d.check_timeout)?,
        };
        let cleanup_budget = duration(
            path,
            "cleanup-budget",
            &raw.cleanup_budget,
            d.cleanup_budget,
        )?;
        let retries = overrides.retries.or(raw.retries).unwrap_or(d.retries);
        if retries > MAX_RETRIES {
            return Err(invalid(
                path,
                &format!(
                    "retries must be at most {MAX_RETRIES} (suite key `retries`, or --retries)"
                ),
            ));
        }
        let memory_mib = raw.memory_mib.unwrap_or(d.memory_bytes / MIB);
        if memory_mib == 0 || memory_mib > 4096 {
            return Err(invalid(path, "memory-mib must be between 1 and 4096"));
        }
        let at_least_one = |key: &str, value: Option<u64>| -> Result<(), PlumeError> {
            match value {
                Some(0) => Err(invalid(path, &format!("{key} must be at least 1"))),
                _ => Ok(()),
            }
        };
        let as_u64 = |v: Option<usize>| v.map(|n| n as u64);
        at_least_one("max-body-mib", raw.max_body_mib)?;
        at_least_one("max-digest-mib", raw.max_digest_mib)?;
        at_least_one("max-connections", as_u64(raw.max_connections))?;
        at_least_one("max-instances", as_u64(raw.max_instances))?;
        at_least_one("max-groups", as_u64(raw.max_groups))?;
        at_least_one("max-checks", as_u64(raw.max_checks))?;
        let mib = |v: Option<u64>, default: u64| v.map_or(default, |n| n.saturating_mul(MIB));
        let kib = |v: Option<u64>, default: u64| v.map_or(default, |n| n.saturating_mul(1024));
        Ok(Limits {
            check_timeout,
            retries,
            ceiling,
            cleanup_budget,
            memory_bytes: memory_mib * MIB,
            table_elements: d.table_elements,
            instances: raw.max_instances.unwrap_or(d.instances),
            max_body_bytes: mib(raw.max_body_mib, d.max_body_bytes),
            max_digest_bytes: mib(raw.max_digest_mib, d.max_digest_bytes),
            max_connections: raw.max_connections.unwrap_or(d.max_connections),
            groups: raw.max_groups.unwrap_or(d.groups),
            checks: raw.max_checks.unwrap_or(d.checks),
            published_bytes: kib(raw.max_published_kib, d.published_bytes),
            cleanups: raw.max_cleanups.unwrap_or(d.cleanups),
            cleanup_bytes: kib(raw.max_cleanup_kib, d.cleanup_bytes),
        })
    }

    fn choose_env(&self, wanted: Option<&str>) -> Result<Option<String>, PlumeError> {
        let envs = &self.raw.env;
        let unknown = |name: &str| PlumeError::UnknownEnv {
            name: name.to_owned(),
            valid: if envs.is_empty() {
                "none (add an [env.NAME] table)".to_owned()
            } else {
                self.env_names().join(", ")
            },
        };
        match wanted.or(self.raw.default_env.as_deref()) {
            Some(name) if envs.contains_key(name) => Ok(Some(name.to_owned())),
            Some(name) => Err(unknown(name)),
            None if envs.len() == 1 => Ok(envs.keys().next().cloned()),
            None if envs.is_empty() => Ok(None),
            None => Err(invalid(
                &self.path,
                &format!(
                    "several environments ({}) and no default-env: pass --env NAME",
                    self.env_names().join(", ")
                ),
            )),
        }
    }
}

fn duration(
    path: &Path,
    key: &str,
    text: &Option<String>,
    default: Duration,
) -> Result<Duration, PlumeError> {
    match text {
        None => Ok(default),
        Some(t) => parse_duration(t).map_err(|e| {
            invalid(
                path,
                &format!("{key} = \"{t}\": {e} (write e.g. \"30s\" or \"500ms\")"),
            )
        }),
    }
}

/// Parses a human duration such as `10s`, `1m30s` or `250ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(text.trim()).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err("must be more than zero".to_owned());
    }
    Ok(d)
}

fn invalid(path: &Path, message: &str) -> PlumeError {
    PlumeError::SuiteInvalid {
        path: path.to_owned(),
        message: message.to_owned(),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        _ => e.to_string(),
    }
}

fn stem(path: &Path) -> String {
    path.parent()
        .and_then(|p| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "suite".to_owned())
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SuiteFile, PlumeError> {
        SuiteFile::parse(Path::new("/s/plume.toml"), text)
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = parse("name = \"x\"\n[plugins.a]\npath = \n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("/s/plume.toml:3:"), "{text}");
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let err = parse("[plugins.a]\npath = \"a.wasm\"\nallow_hosts = []\n").unwrap_err();
        assert!(err.to_string().contains("allow_hosts"), "{err}");
    }

    #[test]
    fn env_and_vars_interpolate_into_config() {
        let file = parse(
            "default-env = \"local\"\n[env.local]\nurl = \"http://127.0.0.1:1\"\n\
             [plugins.a]\npath = \"a.wasm\"\nallow-hosts = [\"${url}\"]\nconfig = { base = \"${url}/api\", n = 3 }\n",
        )
        .unwrap();
        let suite = file
            .resolve(&Overrides {
                vars: vec![("url".into(), "http://127.0.0.1:2".into())],
                ..Overrides::default()
            })
            .unwrap();
        let plugin = &suite.plugins[0];
        assert_eq!(plugin.config["base"], "http://127.0.0.1:2/api");
        assert_eq!(plugin.config["n"], "3");
        assert_eq!(plugin.path, Path::new("/s/a.wasm"));
    }

    #[test]
    fn an_oci_path_keeps_its_reference_and_pinned_digest() {
        let pin = format!("sha256:{}", "ab".repeat(32));
        let file = parse(&format!(
            "[plugins.a]\npath = \"oci://127.0.0.1:5000/team/checks:1.2.0\"\ndigest = \"{}\"\n",
            pin.to_uppercase().replace("SHA256", "sha256")
        ))
        .unwrap();
        let plugin = &file.resolve(&Overrides::default()).unwrap().plugins[0];
        let oci = plugin.oci.as_ref().unwrap();
        assert_eq!(oci.reference, "127.0.0.1:5000/team/checks:1.2.0");
        assert_eq!(oci.digest.as_deref(), Some(pin.as_str()));
        assert_eq!(
            plugin.path,
            Path::new("oci://127.0.0.1:5000/team/checks:1.2.0")
        );
    }

    #[test]
    fn a_builtin_pack_keeps_its_address_and_an_unknown_one_names_the_packs() {
        let file = parse("[plugins.a]\npath = \"plume:http\"\n").unwrap();
        let plugin = &file.resolve(&Overrides::default()).unwrap().plugins[0];
        assert_eq!(plugin.path, Path::new("plume:http"));
        assert_eq!(super::builtin_pack(&plugin.path), Some("http"));
        let file = parse("[plugins.a]\npath = \"plume:htp\"\n").unwrap();
        let err = file.resolve(&Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("plume:http, plume:release-artifact, plume:tls, plume:oauth"));
        assert_eq!(err.lines().count(), 1, "{err}");
    }

    #[test]
    fn oci_digests_that_disagree_or_do_not_parse_are_refused() {
        let a = format!("sha256:{}", "a".repeat(64));
        let b = format!("sha256:{}", "b".repeat(64));
        let cases = [
            (
                format!("path = \"oci://r/x@{a}\"\ndigest = \"{b}\""),
                "keep one of them",
            ),
            (
                "path = \"oci://r/x:1\"\ndigest = \"md5:00\"".to_owned(),
                "not a manifest digest",
            ),
            (
                "path = \"oci://r/x@sha256:00\"".to_owned(),
                "is not a digest",
            ),
            (
                format!("path = \"a.wasm\"\ndigest = \"{a}\""),
                "a file plugin pins",
            ),
        ];
        for (table, expected) in cases {
            let file = parse(&format!("[plugins.a]\n{table}\n")).unwrap();
            let err = file.resolve(&Overrides::default()).unwrap_err().to_string();
            assert!(err.contains(expected), "{table}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn unknown_env_lists_the_valid_ones() {
        let file = parse("[env.a]\n[env.b]\n[plugins.p]\npath = \"p.wasm\"\n").unwrap();
        let err = file
            .resolve(&Overrides {
                env: Some("c".into()),
                ..Overrides::default()
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown environment `c`; the suite defines: a, b"
        );
    }
}
