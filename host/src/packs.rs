//! The check packs built into `plume` (`plugins/http`, `plugins/release-artifact`,
//! `plugins/tls`, `plugins/oauth`), addressed from a suite as `plume:NAME`.
//!
//! `build.rs` compiles them from this repository's sources for wasm32-wasip2
//! when the host is built and embeds their bytes here with their SHA-256, so
//! a pack is versioned with the binary: `plume lock` pins it like any
//! plugin, and a suite locked against another build's pack is refused. They
//! are compiled through the same compiled-plugin cache as files, keyed by
//! that digest, so a warm run neither reads nor hashes them.

use std::path::Path;

/// One pack built into this binary.
#[derive(Debug)]
pub struct Pack {
    /// What a suite writes after `plume:`.
    pub name: &'static str,
    /// The crate it is built from (`plugins/<name>`).
    pub package: &'static str,
    /// The component's SHA-256, lowercase hex.
    pub sha256: &'static str,
    /// The component.
    pub wasm: &'static [u8],
}

impl Pack {
    /// Its address in a suite: `plume:http`.
    pub fn address(&self) -> String {
        format!("{}{}", crate::suite::BUILTIN_SCHEME, self.name)
    }
}

include!(concat!(env!("OUT_DIR"), "/packs.rs"));

/// The built-in pack a plugin path names (`plume:http`), if any.
pub fn builtin(path: &Path) -> Option<&'static Pack> {
    let name = crate::suite::builtin_pack(path)?;
    PACKS.iter().find(|p| p.name == name)
}

/// The built-in pack `path` names, `None` for a file; a `plume:` address
/// that names no built-in pack is bad input listing the ones there are.
pub fn lookup(path: &Path) -> Result<Option<&'static Pack>, crate::PlumeError> {
    match builtin(path) {
        Some(pack) => Ok(Some(pack)),
        None if path
            .to_string_lossy()
            .starts_with(crate::suite::BUILTIN_SCHEME) =>
        {
            Err(crate::PlumeError::SuiteInvalid {
                path: path.to_owned(),
                message: format!(
                    "no pack of that name is built into plume; the built-in packs are {}",
                    crate::suite::builtin_pack_list()
                ),
            })
        }
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_name_has_its_pack_and_each_is_a_component() {
        let names: Vec<&str> = PACKS.iter().map(|p| p.name).collect();
        assert_eq!(names, crate::suite::BUILTIN_PACKS);
        for pack in PACKS {
            assert!(builtin(Path::new(&pack.address())).is_some());
            assert_eq!(&pack.wasm[..4], b"\0asm", "{}", pack.name);
            assert_eq!(pack.sha256.len(), 64);
        }
        assert!(builtin(Path::new("plume:nope")).is_none());
        assert!(builtin(Path::new("http")).is_none());
    }
}
