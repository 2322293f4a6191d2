//! One plugin's table of the suite file, resolved: its path, its
//! allow-list, its config values (scalars as text, tables and arrays as
//! JSON), its secrets read from the environment, its extra TLS roots.
//!
//! A `path` that starts with `oci://` names an OCI artifact instead of a
//! file: it is kept as [`OciSource`] (with the manifest digest the suite
//! pins, from `digest` or an `@sha256:` in the reference), and the runtime's
//! `oci` module pulls it into its store before the plugin is loaded. A
//! `path` of `plume:NAME` names a pack built into the binary (see
//! [`BUILTIN_PACKS`]); it is kept as written, and an unknown name is refused
//! here, naming the built-in ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;

use crate::error::PlumeError;
use crate::net::policy::AllowList;
use crate::suite::interpolate::{Values, interpolate};

use super::io_reason;

/// One plugin: a WebAssembly component, where it may connect, what it reads.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPlugin {
    /// The component (`.wasm`), relative to the suite file; a pack built into `plume`
    /// (`plume:http`, `plume:release-artifact`, `plume:tls`, `plume:oauth`); or an OCI reference
    /// (`oci://registry.example.com/team/checks:1.2.0`, optionally `@sha256:…`); `${...}` values allowed.
    path: PathBuf,
    /// Where the plugin may connect: `[scheme://]host[:port]` entries (a whole URL is accepted,
    /// its path ignored); `*.example.com` matches subdomains, `:*` any port. Empty denies everything.
    #[serde(default)]
    allow_hosts: Vec<String>,
    /// What the plugin reads with `config::get`: scalars reach it as text, tables and arrays as
    /// JSON. A check pack's keys are in its README and its `config.schema.json`.
    #[serde(default)]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "BTreeMap<String, serde_json::Value>")
    )]
    config: BTreeMap<String, toml::Value>,
    /// What the plugin reads with `config::secret`, by name: `{ env = "VARIABLE" }`. Never
    /// printed; a check whose secret is unset skips.
    #[serde(default)]
    secrets: BTreeMap<String, SecretSource>,
    /// Run only these of the plugin's groups (and the groups they depend on).
    groups: Option<Vec<String>>,
    /// Shown before each of the plugin's group names, so two plugins with the same group names
    /// can share a suite, e.g. "demo.".
    #[serde(default)]
    group_prefix: String,
    /// The component's SHA-256 (hex): any other build is refused. `plume lock` writes it.
    sha256: Option<String>,
    /// Let names resolve to loopback, private, link-local and metadata addresses (default false).
    #[serde(default)]
    allow_private: bool,
    /// PEM files of extra root certificates to trust (relative to the suite file), for services
    /// behind a private CA.
    #[serde(default)]
    tls_roots: Vec<String>,
    /// For an `oci://` path: the manifest digest (`sha256:` and 64 hex digits) the tag must
    /// still name; `plume lock` writes it.
    digest: Option<String>,
}

/// The scheme that makes a plugin's `path` an OCI reference.
pub const OCI_SCHEME: &str = "oci://";

/// The scheme that makes a plugin's `path` a pack built into `plume`: `plume:http`.
pub const BUILTIN_SCHEME: &str = "plume:";

/// The packs every `plume` carries, by the name a suite writes after `plume:`
/// (the runtime's `packs` module holds their bytes).
pub const BUILTIN_PACKS: &[&str] = &["http", "release-artifact", "tls", "oauth"];

/// The built-in pack a plugin path names (`plume:http` → `http`), if any.
pub fn builtin_pack(path: &Path) -> Option<&str> {
    let name = path.to_str()?.strip_prefix(BUILTIN_SCHEME)?;
    BUILTIN_PACKS.iter().copied().find(|n| *n == name)
}

/// `plume:http, plume:release-artifact, ...`: for messages.
pub fn builtin_pack_list() -> String {
    BUILTIN_PACKS
        .iter()
        .map(|n| format!("{BUILTIN_SCHEME}{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where an OCI plugin comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciSource {
    /// The reference after `oci://`: `registry/repository[:tag][@sha256:…]`.
    pub reference: String,
    /// The manifest digest the suite pins (`sha256:` and 64 lowercase hex
    /// digits), from the `digest` key or the reference itself.
    pub digest: Option<String>,
}

impl std::fmt::Display for OciSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{OCI_SCHEME}{}", self.reference)
    }
}

/// Where a secret's value comes from.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SecretSource {
    /// The process environment variable that holds it.
    pub env: String,
}

/// One plugin of a suite, resolved.
#[derive(Debug, Clone)]
pub struct PluginEntry {
    pub name: String,
    /// The component file. For an OCI plugin, its `oci://` reference until
    /// the runtime pulls it, then the file in the store.
    pub path: PathBuf,
    /// Where an OCI plugin comes from; `None` for a file.
    pub oci: Option<OciSource>,
    pub allow: AllowList,
    pub config: BTreeMap<String, String>,
    /// Secret name to value; `None` when its variable is unset.
    pub secrets: BTreeMap<String, Option<String>>,
    pub groups: Option<Vec<String>>,
    /// Put before each of the plugin's group names in lines and selections,
    /// so two plugins with the same group names can share a suite.
    pub group_prefix: String,
    /// The component's pinned SHA-256 (lowercase hex): any other is refused.
    pub sha256: Option<String>,
    /// Reach loopback, private, link-local and metadata addresses through names too.
    pub allow_private: bool,
    /// Extra trusted root certificates (PEM), for services behind a private CA.
    pub tls_roots: Vec<Vec<u8>>,
}

impl PluginEntry {
    /// A plugin outside any suite (for `plume inspect` and benchmarks): no
    /// hosts, no config, no secrets.
    pub fn bare(name: &str, path: &Path) -> PluginEntry {
        PluginEntry {
            name: name.to_owned(),
            path: path.to_owned(),
            oci: None,
            allow: AllowList::default(),
            config: BTreeMap::new(),
            secrets: BTreeMap::new(),
            groups: None,
            group_prefix: String::new(),
            sha256: None,
            allow_private: false,
            tls_roots: Vec::new(),
        }
    }
}

pub(super) fn resolve_plugin(
    name: &str,
    raw: &RawPlugin,
    base: &Path,
    values: &Values,
) -> Result<PluginEntry, PlumeError> {
    let place = |what: &str| format!("plugins.{name}.{what}");
    let path_text = raw.path.to_string_lossy();
    let path_text = interpolate(&path_text, values, &place("path"))?;
    let oci = oci_source(&path_text, raw.digest.as_deref(), &place)?;
    let builtin = builtin_source(&path_text, &place)?;
    let path = PathBuf::from(path_text);
    let path = if path.is_absolute() || oci.is_some() || builtin {
        path
    } else {
        base.join(path)
    };

    let mut hosts = Vec::new();
    for (i, entry) in raw.allow_hosts.iter().enumerate() {
        hosts.push(interpolate(
            entry,
            values,
            &place(&format!("allow-hosts[{i}]")),
        )?);
    }
    let allow = AllowList::parse(&hosts).map_err(|message| PlumeError::SuiteInvalid {
        path: PathBuf::from(place("allow-hosts")),
        message,
    })?;

    let mut config = BTreeMap::new();
    for (key, value) in &raw.config {
        let where_ = place(&format!("config.{key}"));
        config.insert(key.clone(), config_value(value, values, &where_)?);
    }
    let mut tls_roots = Vec::new();
    for (i, entry) in raw.tls_roots.iter().enumerate() {
        let where_ = place(&format!("tls-roots[{i}]"));
        let file = PathBuf::from(interpolate(entry, values, &where_)?);
        let file = if file.is_absolute() {
            file
        } else {
            base.join(file)
        };
        let pem = std::fs::read(&file).map_err(|e| PlumeError::SuiteInvalid {
            path: PathBuf::from(&where_),
            message: format!("cannot read {}: {}", file.display(), io_reason(&e)),
        })?;
        let parsed: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
        if parsed.map_or(true, |certs| certs.is_empty()) {
            return Err(PlumeError::SuiteInvalid {
                path: PathBuf::from(&where_),
                message: format!("{} holds no PEM certificate", file.display()),
            });
        }
        tls_roots.push(pem);
    }
    // Where a secret enters the process: refused if too short to mask, and
    // masked from then on in everything Plume prints.
    let mut secrets = BTreeMap::new();
    for (key, source) in &raw.secrets {
        let value = std::env::var(&source.env).ok().filter(|v| !v.is_empty());
        if let Some(v) = &value {
            crate::redact::check_secret(v).map_err(|why| PlumeError::SuiteInvalid {
                path: PathBuf::from(place(&format!("secrets.{key}"))),
                message: format!("the value of ${} {why}", source.env),
            })?;
            crate::console::remember_secrets([v.as_str()]);
        }
        secrets.insert(key.clone(), value);
    }
    Ok(PluginEntry {
        name: name.to_owned(),
        path,
        oci,
        allow,
        config,
        secrets,
        groups: raw.groups.clone(),
        group_prefix: raw.group_prefix.clone(),
        sha256: raw.sha256.as_ref().map(|d| d.trim().to_ascii_lowercase()),
        allow_private: raw.allow_private,
        tls_roots,
    })
}

/// Whether `path` names a built-in pack (`plume:NAME`); an unknown name is
/// bad input naming the built-in ones.
fn builtin_source(path: &str, place: &dyn Fn(&str) -> String) -> Result<bool, PlumeError> {
    let Some(name) = path.strip_prefix(BUILTIN_SCHEME) else {
        return Ok(false);
    };
    if !BUILTIN_PACKS.contains(&name) {
        return Err(PlumeError::SuiteInvalid {
            path: PathBuf::from(place("path")),
            message: format!(
                "`{path}` is no pack built into plume; the built-in packs are {} (a file named like this: write ./{path})",
                builtin_pack_list()
            ),
        });
    }
    Ok(true)
}

/// The OCI source of a `path` that starts with `oci://`, with its pinned
/// manifest digest; a `digest` key on a file plugin, a malformed digest or
/// two digests that disagree are bad input.
fn oci_source(
    path: &str,
    digest: Option<&str>,
    place: &dyn Fn(&str) -> String,
) -> Result<Option<OciSource>, PlumeError> {
    let invalid = |what: &str, message: String| PlumeError::SuiteInvalid {
        path: PathBuf::from(place(what)),
        message,
    };
    let Some(reference) = path.strip_prefix(OCI_SCHEME) else {
        return match digest {
            Some(_) => Err(invalid(
                "digest",
                "`digest` pins an oci:// plugin's manifest; a file plugin pins its bytes with `sha256`".to_owned(),
            )),
            None => Ok(None),
        };
    };
    let key = match digest {
        Some(d) => Some(manifest_digest(d).ok_or_else(|| {
            invalid(
                "digest",
                format!("`{d}` is not a manifest digest: write sha256: and 64 hex digits (`plume lock` writes it)"),
            )
        })?),
        None => None,
    };
    let in_reference = match reference.rsplit_once('@') {
        Some((_, d)) => Some(manifest_digest(d).ok_or_else(|| {
            invalid(
                "path",
                format!("`{d}` in {path} is not a digest: write @sha256: and 64 hex digits"),
            )
        })?),
        None => None,
    };
    if let (Some(key), Some(in_ref)) = (&key, &in_reference)
        && key != in_ref
    {
        return Err(invalid(
            "digest",
            format!("pins {key}, but the reference {path} names {in_ref}: keep one of them"),
        ));
    }
    Ok(Some(OciSource {
        reference: reference.to_owned(),
        digest: key.or(in_reference),
    }))
}

/// `sha256:` and 64 hex digits, lowercased; `None` for anything else.
pub fn manifest_digest(text: &str) -> Option<String> {
    let hex = text.trim().strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// A plugin's config value as the plugin reads it: a scalar as text, a table
/// or an array as JSON; every string in it interpolated.
fn config_value(value: &toml::Value, values: &Values, place: &str) -> Result<String, PlumeError> {
    match value {
        toml::Value::Table(_) | toml::Value::Array(_) => {
            Ok(json_of(value, values, &|| place.to_owned())?.to_string())
        }
        scalar_value => interpolate(&scalar(scalar_value, place)?, values, place),
    }
}

/// `place` is built only when an error needs it: formatting the path of
/// every value of a large config was a tenth of a 100-check run's start-up.
fn json_of(
    value: &toml::Value,
    values: &Values,
    place: &dyn Fn() -> String,
) -> Result<serde_json::Value, PlumeError> {
    use serde_json::Value as Json;
    Ok(match value {
        toml::Value::String(s) if !s.contains('$') => Json::String(s.clone()),
        toml::Value::String(s) => Json::String(interpolate(s, values, &place())?),
        toml::Value::Integer(i) => Json::from(*i),
        toml::Value::Float(f) => Json::from(*f),
        toml::Value::Boolean(b) => Json::Bool(*b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| json_of(v, values, &|| format!("{}[{i}]", place())))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => Json::Object(
            table
                .iter()
                .map(|(k, v)| {
                    let value = json_of(v, values, &|| format!("{}.{k}", place()))?;
                    Ok((k.clone(), value))
                })
                .collect::<Result<_, PlumeError>>()?,
        ),
    })
}

/// A config or environment value as text: strings as they are, numbers and booleans printed.
pub(super) fn scalar(value: &toml::Value, place: &str) -> Result<String, PlumeError> {
    match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        _ => Err(PlumeError::Interpolation {
            place: place.to_owned(),
            message: "values must be strings, numbers or booleans".to_owned(),
        }),
    }
}
