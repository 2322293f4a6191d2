//! `plume new`: a plugin project that builds with one command and whose
//! example check passes against the demo service.
//!
//! The templates live in `host/templates/<lang>/`; `{{name}}`, `{{crate}}`
//! and `{{sdk}}` (the Plume checkout whose SDKs the project uses) are
//! filled in.

use std::path::{Path, PathBuf};

use crate::error::PlumeError;

/// A plugin language `plume new` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Js,
    Python,
}

impl Lang {
    /// The one command that builds a new project, run in its folder.
    pub fn build_command(self) -> &'static str {
        match self {
            Lang::Rust => "cargo build --target wasm32-wasip2 --release",
            Lang::Js => "npm run build",
            Lang::Python => "./build.sh",
        }
    }

    fn files(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Lang::Rust => &[
                ("Cargo.toml", include_str!("../templates/rust/Cargo.toml")),
                (
                    "rust-toolchain.toml",
                    include_str!("../templates/rust/rust-toolchain.toml"),
                ),
                ("src/lib.rs", include_str!("../templates/rust/src/lib.rs")),
                ("plume.toml", include_str!("../templates/rust/plume.toml")),
            ],
            Lang::Js => &[
                ("plugin.js", include_str!("../templates/js/plugin.js")),
                ("package.json", include_str!("../templates/js/package.json")),
                ("plume.toml", include_str!("../templates/js/plume.toml")),
            ],
            Lang::Python => &[
                ("plugin.py", include_str!("../templates/python/plugin.py")),
                ("build.sh", include_str!("../templates/python/build.sh")),
                ("plume.toml", include_str!("../templates/python/plume.toml")),
            ],
        }
    }
}

/// The Plume checkout this binary was built from, whose SDKs new projects use.
pub fn default_sdk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes a new project `name` in `parent`; returns its folder.
pub fn scaffold(lang: Lang, name: &str, parent: &Path, sdk: &Path) -> Result<PathBuf, PlumeError> {
    let bad = |message: String| PlumeError::Scaffold { message };
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(bad(format!(
            "`{name}` is not a plugin name: use lowercase letters, digits, - and _, starting with a letter"
        )));
    }
    let sdk = sdk
        .canonicalize()
        .ok()
        .filter(|s| s.join("sdk/rust/Cargo.toml").exists() && s.join("wit").exists())
        .ok_or_else(|| {
            bad(format!(
                "cannot find the Plume SDKs in {}: pass --sdk-dir with the path of a Plume checkout",
                sdk.display()
            ))
        })?;
    let dir = parent.join(name);
    if dir.exists() {
        return Err(bad(format!(
            "{} already exists: choose another name or remove it",
            dir.display()
        )));
    }
    for (file, template) in lang.files() {
        let text = template
            .replace("{{name}}", name)
            .replace("{{crate}}", &name.replace('-', "_"))
            .replace("{{sdk}}", &sdk.display().to_string());
        let path = dir.join(file);
        let write = || -> std::io::Result<()> {
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::write(&path, text)?;
            if file.ends_with(".sh") {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
            }
            Ok(())
        };
        write().map_err(|e| bad(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(dir)
}
