//! The committed completions/ and man/ are what the binary generates now.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;

const FIX: &str = "regenerate them with scripts/gen-docs and commit";

#[test]
fn completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "alertctl.bash"),
        ("zsh", "_alertctl"),
        ("fish", "alertctl.fish"),
        ("elvish", "alertctl.elv"),
        ("powershell", "_alertctl.ps1"),
    ] {
        let generated = run(["completions", shell]).ok();
        let committed = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        assert!(generated.len() > 500, "{shell}");
        assert!(generated == committed, "completions/{file} is stale: {FIX}");
    }
}

fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn man_pages_are_current() {
    let dir = tempdir();
    run(["man", "--out-dir", dir.path().to_str().unwrap()]).ok();
    let generated = read_dir(dir.path());
    assert!(generated.contains_key("alertctl.1") && generated.contains_key("alertctl-produce.1"));
    let committed = read_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("man"));
    assert_eq!(
        generated.keys().collect::<Vec<_>>(),
        committed.keys().collect::<Vec<_>>(),
        "man/ has other pages: {FIX}"
    );
    for (name, bytes) in &generated {
        assert!(committed[name] == *bytes, "man/{name} is stale: {FIX}");
    }
}
