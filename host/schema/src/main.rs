//! `plume-schema`: writes every schema file into the repository, or with
//! `--check` lists the stale ones and exits 1.

use std::process::ExitCode;

fn main() -> ExitCode {
    let root = plume_schema::workspace_root();
    if std::env::args().nth(1).as_deref() == Some("--check") {
        let stale = plume_schema::stale(&root);
        if stale.is_empty() {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "stale: {}; run `{}` to update them",
            stale.join(", "),
            plume_schema::UPDATE
        );
        return ExitCode::from(1);
    }
    for file in plume_schema::files() {
        let path = root.join(file.path);
        if let Err(e) = std::fs::write(&path, file.text()) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("wrote {}", file.path);
    }
    ExitCode::SUCCESS
}
