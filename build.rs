//! Compiles the default templates in `templates/` into the binary, and records the git commit
//! the binary is built from for `stagebook --version`.

use std::path::Path;
use std::process::Command;

fn main() {
    minijinja_embed::embed_templates!("templates");
    commit();
}

/// Sets `STAGEBOOK_COMMIT` to the short hash and date of the commit checked out. A build from
/// a source archive has no repository: then the variable of the same name in the build
/// environment is used (the release workflow sets it), else `unknown commit`.
fn commit() {
    println!("cargo::rerun-if-env-changed=STAGEBOOK_COMMIT");
    let described = git(&["log", "-1", "--format=%h %cs"]);
    // Rebuild when HEAD moves (a commit, a checkout).
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        let head = Path::new(&dir).join("HEAD");
        if head.exists() {
            println!("cargo::rerun-if-changed={}", head.display());
        }
        // A commit moves the branch HEAD names, not HEAD itself. The branch lives in its own
        // file or, once git has packed its refs, in `packed-refs`; in a worktree both are in
        // the common git folder. A path that does not exist makes cargo rerun every build,
        // so a branch not yet written to either file is never stale either.
        if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let common = git(&["rev-parse", "--git-common-dir"]).unwrap_or(dir);
            let common = Path::new(&common);
            println!(
                "cargo::rerun-if-changed={}",
                common.join(reference).display()
            );
            let packed = common.join("packed-refs");
            if packed.exists() {
                println!("cargo::rerun-if-changed={}", packed.display());
            }
        }
    }
    let commit = described
        .or_else(|| std::env::var("STAGEBOOK_COMMIT").ok())
        .unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo::rustc-env=STAGEBOOK_COMMIT={commit}");
}

/// The trimmed output of a successful `git ARGS` in the package folder, if git is there.
fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    output.status.success().then(|| text.trim().to_owned())
}
