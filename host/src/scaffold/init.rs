//! `plume init URL...`: a runnable, tables-only suite for a deployed service,
//! written from what each URL answered (`probe`).
//!
//! Each URL becomes one check of the built-in `http` pack (`plume:http`)
//! asking something specific of the answer: its status, its `content-type`,
//! a value at a JSON pointer or a text in the body when the first answer
//! shows one (the `location` of a redirect), and a latency bound. An https
//! URL adds the built-in `tls` pack for its host. The suite names its
//! schema (`#:schema`, written beside it when missing), its `allow-hosts`
//! grant exactly the URLs' origins, its `preflight` is the URLs given, and
//! its comments point to the packs' READMEs. Nothing is asked
//! interactively; an existing file is never replaced without `force`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use url::{Position, Url};

use super::expect::{expectations, quoted};
use super::probe::{Probe, client, probe};
use crate::error::PlumeError;

/// What `plume init` is asked to do.
#[derive(Debug, Clone)]
pub struct InitRequest {
    pub urls: Vec<String>,
    /// PEM files of extra roots (a private CA), trusted by the probe and the suite.
    pub ca: Vec<PathBuf>,
    pub output: PathBuf,
    /// Replace `output` if it exists.
    pub force: bool,
}

/// What `plume init` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub suite: PathBuf,
    /// The schema file written beside it (`None` when one was there).
    pub schema: Option<PathBuf>,
    /// One line per URL: what its check asks.
    pub checks: Vec<String>,
    /// The https origins the `tls` pack checks.
    pub tls_hosts: Vec<String>,
}

/// The schema file the suite's `#:schema` line names, beside it.
const SCHEMA_FILE: &str = "plume.schema.json";

fn bad(message: String) -> PlumeError {
    PlumeError::Init { message }
}

/// Probes every URL and writes the suite.
pub async fn init(request: &InitRequest) -> Result<Written, PlumeError> {
    let urls = request
        .urls
        .iter()
        .map(|u| parse_url(u))
        .collect::<Result<Vec<_>, _>>()?;
    if urls.is_empty() {
        return Err(bad(
            "give the URL of a deployed service, e.g. `plume init https://service.example/health`"
                .to_owned(),
        ));
    }
    if request.output.exists() && !request.force {
        return Err(bad(format!(
            "{} already exists: write elsewhere with -o FILE, or pass --force to replace it",
            request.output.display()
        )));
    }
    let roots = read_roots(&request.ca)?;
    let client = client(&roots).map_err(bad)?;
    let probes = futures::future::join_all(urls.iter().map(|u| probe(&client, u))).await;
    let probes = probes
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            let hint = if request.ca.is_empty() {
                " (a private CA: pass --ca FILE)"
            } else {
                ""
            };
            bad(format!("{e}{hint}"))
        })?;
    if let Some(p) = probes.iter().find(|p| p.status >= 500) {
        return Err(bad(format!(
            "{} answered {}: a suite written from a failing answer would expect the failure; init against a working service",
            p.url, p.status
        )));
    }
    let suite_dir = absolute(request.output.parent().unwrap_or(Path::new("")));
    let ca_paths: Vec<String> = request
        .ca
        .iter()
        .map(|c| relative_to(c, &suite_dir))
        .collect();
    let file_name = request.output.file_name().map_or_else(
        || "plume.toml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = render(&probes, &ca_paths, &file_name);
    write_suite(&request.output, &text, request.force)?;
    let schema_path = suite_dir.join(SCHEMA_FILE);
    let schema = if schema_path.exists() {
        None
    } else {
        std::fs::write(&schema_path, super::vendor::SCHEMA.1)
            .map_err(|e| bad(format!("cannot write {}: {e}", schema_path.display())))?;
        Some(schema_path)
    };
    Ok(Written {
        suite: request.output.clone(),
        schema,
        checks: probes.iter().map(summary).collect(),
        tls_hosts: origins(&probes)
            .into_iter()
            .filter(|o| o.starts_with("https://"))
            .collect(),
    })
}

fn parse_url(text: &str) -> Result<Url, PlumeError> {
    match Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(u),
        _ => Err(bad(format!(
            "`{text}` is not an http(s) URL: give the service's address, e.g. https://service.example/health"
        ))),
    }
}

fn read_roots(files: &[PathBuf]) -> Result<Vec<Vec<u8>>, PlumeError> {
    files
        .iter()
        .map(|file| {
            let pem = std::fs::read(file)
                .map_err(|e| bad(format!("--ca {}: cannot read it: {e}", file.display())))?;
            let parsed: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
            if parsed.map_or(true, |certs| certs.is_empty()) {
                return Err(bad(format!(
                    "--ca {} holds no PEM certificate",
                    file.display()
                )));
            }
            Ok(pem)
        })
        .collect()
}

fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

/// `file` as the suite in `dir` names it: relative when under `dir`, else absolute.
fn relative_to(file: &Path, dir: &Path) -> String {
    let file = absolute(file);
    file.strip_prefix(dir)
        .unwrap_or(&file)
        .display()
        .to_string()
}

fn write_suite(path: &Path, text: &str, force: bool) -> Result<(), PlumeError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| bad(format!("cannot write {}: {e}", path.display())))
}

/// The distinct origins of the probed URLs, in order of first use.
fn origins(probes: &[Probe]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    probes
        .iter()
        .map(|p| p.url.origin().ascii_serialization())
        .filter(|o| seen.insert(o.clone()))
        .collect()
}

/// The `${...}` value an origin is written as: `base_url`, `base_url_2`, ...
fn origin_var(index: usize) -> String {
    match index {
        0 => "base_url".to_owned(),
        n => format!("base_url_{}", n + 1),
    }
}

/// The suite file.
fn render(probes: &[Probe], ca_paths: &[String], file_name: &str) -> String {
    let origins = origins(probes);
    let var_of = |url: &Url| {
        let origin = url.origin().ascii_serialization();
        origin_var(origins.iter().position(|o| *o == origin).unwrap_or(0))
    };
    let templated = |url: &Url| format!("${{{}}}{}", var_of(url), &url[Position::BeforePath..]);
    let vars: Vec<String> = (0..origins.len()).map(origin_var).collect();
    let allow = vars
        .iter()
        .map(|v| quoted(&format!("${{{v}}}")))
        .collect::<Vec<_>>()
        .join(", ");
    let private = probes.iter().any(|p| p.private);
    let host = probes[0].url.host_str().unwrap_or("service");
    let mut out = String::new();
    out.push_str(
        &format!(
            "#:schema ./{SCHEMA_FILE}\n\
         # Smoke checks of {host}, written by `plume init` (plume {}) from what each URL\n\
         # answered. Run:  plume run {{this file}}      Pin the packs:  plume lock {{this file}}\n\
         # Each check asks something specific of the answer; edit the expectations to what must\n\
         # stay true. The tables' keys: plugins/http/README.md in Plume's repository\n\
         # (`plume inspect plume:http` lists what the pack reads).\n\n",
            env!("CARGO_PKG_VERSION")
        )
        .replace("{this file}", file_name),
    );
    out.push_str(&format!(
        "name = {}\ncheck-timeout = \"10s\"\ndefault-env = \"deployed\"\n",
        quoted(host)
    ));
    out.push_str("# Must answer before any check runs: a service that is not up is one line (exit 2), not a red run.\n");
    let preflight: Vec<String> = probes.iter().map(|p| quoted(&templated(&p.url))).collect();
    out.push_str(&format!("preflight = [{}]\n", preflight.join(", ")));
    out.push_str(&format!(
        "hint = {}\n\n[env.deployed]\n",
        quoted(
            "is the service deployed? point the suite at another with --var base_url=https://HOST"
        )
    ));
    for (var, origin) in vars.iter().zip(&origins) {
        out.push_str(&format!("{var} = {}\n", quoted(origin)));
    }
    let plugin_head = |name: &str, pack: &str, out: &mut String| {
        out.push_str(&format!(
            "\n[plugins.{name}]\npath = \"plume:{pack}\"\nallow-hosts = [{allow}]\n"
        ));
        if !ca_paths.is_empty() {
            let roots: Vec<String> = ca_paths.iter().map(|c| quoted(c)).collect();
            out.push_str(&format!("tls-roots = [{}]\n", roots.join(", ")));
        }
        if private {
            out.push_str("# The service's names resolve to private addresses, which plugins may not reach by default.\nallow-private = true\n");
        }
    };
    out.push_str("\n# The built-in `http` pack: one table per check (plugins/http/README.md).");
    plugin_head("service", "http", &mut out);
    for (probe, name) in probes.iter().zip(check_names(probes)) {
        out.push_str(&format!(
            "\n[[plugins.service.config.checks]]\ngroup = \"service\"\nname = {}\nurl = {}\n",
            quoted(&name),
            quoted(&templated(&probe.url))
        ));
        for line in expectations(probe) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    let tls: Vec<String> = origins
        .iter()
        .zip(&vars)
        .filter(|(o, _)| o.starts_with("https://"))
        .map(|(_, v)| quoted(&format!("${{{v}}}/")))
        .collect();
    if !tls.is_empty() {
        out.push_str("\n# The built-in `tls` pack: expiry, host name, chain and protocol of each https host\n# (plugins/tls/README.md).");
        plugin_head("tls", "tls", &mut out);
        out.push_str(&format!(
            "\n[plugins.tls.config]\nhosts = [{}]\nwarn_days = 14\nmin_version = \"TLSv1.2\"\n",
            tls.join(", ")
        ));
    }
    out
}

/// A check name per probe, from the URL's last path segment, unique.
fn check_names(probes: &[Probe]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    probes
        .iter()
        .map(|p| {
            let segment = p
                .url
                .path_segments()
                .and_then(|mut s| s.rfind(|s| !s.is_empty()))
                .unwrap_or("home");
            let base: String = segment
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let base = base.trim_matches('-').to_owned();
            let base = if base.is_empty() {
                "page".to_owned()
            } else {
                base
            };
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}-{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// `GET URL: status 200, content-type application/json, /status = "ok"`: for the terminal.
fn summary(p: &Probe) -> String {
    let what = match p.content_type.as_deref() {
        Some(ct) => format!(", {ct}"),
        None => String::new(),
    };
    format!(
        "{}: {}{what} in {} ms",
        p.url,
        p.status,
        p.elapsed.as_millis()
    )
}
