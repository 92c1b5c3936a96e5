//! Writes the JavaScript side of the wasm interface (`labelsmooth_abi::render::files`), or with
//! `--check` exits 1 when a committed file differs from what the description renders.
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut stale = Vec::new();
    for (path, rendered) in labelsmooth_abi::render::files() {
        let file = root.join(path);
        if std::fs::read_to_string(&file).unwrap_or_default() == rendered {
            continue;
        }
        if check {
            stale.push(path);
        } else if let Err(e) = std::fs::write(&file, rendered) {
            eprintln!("cannot write {path}: {e}");
            return ExitCode::FAILURE;
        } else {
            println!("wrote {path}");
        }
    }
    if stale.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} not what crates/abi/src/interface.rs renders: run `npm run generate:wasm-interface`",
        stale.join(" and ") + if stale.len() == 1 { " is" } else { " are" }
    );
    ExitCode::FAILURE
}
