//! `plume new`: a plugin project that builds with one command and whose
//! example check passes against the demo service; and [`init`], `plume init
//! URL`: a suite of the built-in packs' tables for a deployed service.
//!
//! The templates live in `host/templates/<lang>/`; `{{name}}`, `{{crate}}`
//! and `{{sdk}}` (the project's copy of the SDK, see `vendor`) are filled
//! in. The project needs no Plume checkout: the SDK and the contract come
//! from this binary.

mod expect;
pub mod init;
mod probe;
mod vendor;

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
                (".gitignore", include_str!("../templates/rust/gitignore")),
            ],
            Lang::Js => &[
                ("plugin.js", include_str!("../templates/js/plugin.js")),
                ("package.json", include_str!("../templates/js/package.json")),
                ("plume.toml", include_str!("../templates/js/plume.toml")),
                (".gitignore", include_str!("../templates/js/gitignore")),
            ],
            Lang::Python => &[
                ("plugin.py", include_str!("../templates/python/plugin.py")),
                ("build.sh", include_str!("../templates/python/build.sh")),
                ("plume.toml", include_str!("../templates/python/plume.toml")),
                (".gitignore", include_str!("../templates/python/gitignore")),
            ],
        }
    }
}

/// Writes a new project `name` in `parent`, the SDK of its language
/// vendored under `vendor/plume/`; returns its folder.
pub fn scaffold(lang: Lang, name: &str, parent: &Path) -> Result<PathBuf, PlumeError> {
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
    let dir = parent.join(name);
    if dir.exists() {
        return Err(bad(format!(
            "{} already exists: choose another name or remove it",
            dir.display()
        )));
    }
    let templates = lang.files().iter().map(|(file, template)| {
        let text = template
            .replace("{{name}}", name)
            .replace("{{crate}}", &name.replace('-', "_"))
            .replace("{{sdk}}", vendor::ROOT);
        (PathBuf::from(file), text)
    });
    let vendored = vendor::files(lang)?
        .into_iter()
        .map(|f| (Path::new(vendor::ROOT).join(f.path), f.text.into_owned()));
    for (file, text) in templates.chain(vendored) {
        let path = dir.join(&file);
        write_file(&path, &text)
            .map_err(|e| bad(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(dir)
}

/// Writes `text` at `path`, creating its folder; a shell script is made executable.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    std::fs::write(path, text)?;
    if path.extension().is_some_and(|e| e == "sh") {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
