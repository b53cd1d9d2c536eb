//! The committed man pages render without warnings, and the main page's
//! hand-written sections are there. (tests/generated_files.rs checks that it is current.)

use std::path::Path;
use std::process::Command;

fn man_installed() -> bool {
    Command::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn man_page_renders_without_warnings() {
    // A test that cannot run fails: scripts/test.sh installs man-db first.
    assert!(
        man_installed(),
        "`man` is not installed: run scripts/install-deps.sh (it installs man-db)"
    );
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .collect();
    pages.sort();
    assert!(
        pages.len() > 1,
        "the subcommand pages are there too: {pages:?}"
    );
    for page in &pages {
        // As the issue states it: MANWIDTH=80 man -l man/sipreg.1 2>&1 >/dev/null
        let out = Command::new("sh")
            .arg("-c")
            .arg("MANWIDTH=80 man -l \"$1\" 2>&1 >/dev/null")
            .arg("sh")
            .arg(page)
            .env_remove("MAN_KEEP_FORMATTING")
            .env_remove("MANPAGER")
            .env_remove("PAGER")
            .output()
            .unwrap();
        assert!(out.status.success(), "man failed on {page:?}: {out:?}");
        let warnings = String::from_utf8_lossy(&out.stdout);
        assert!(
            warnings.is_empty(),
            "man printed warnings for {page:?}:\n{warnings}"
        );
    }
    let page = dir.join("sipreg.1");

    let rendered = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .env_remove("MAN_KEEP_FORMATTING")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&rendered.stdout);
    for heading in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] {
        assert!(
            text.lines().any(|l| l.trim_end() == heading),
            "no {heading} section in:\n{text}"
        );
    }
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "wider than MANWIDTH: {line:?}");
    }
}
