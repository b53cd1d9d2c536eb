//! The committed completions and man page match what the clap definitions generate.
//! To regenerate: SIPREG_REGENERATE=1 cargo test --test generated_files

use sipreg::commands::generate::{completion_script, man_page, subcommand_pages, COMPLETION_FILES};
use std::path::Path;

fn check(path: &Path, expected: &[u8], stale: &mut Vec<String>) {
    if std::env::var_os("SIPREG_REGENERATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, expected).unwrap();
        return;
    }
    if std::fs::read(path).ok().as_deref() != Some(expected) {
        stale.push(path.display().to_string());
    }
}

#[test]
fn committed_completions_and_man_page_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (shell, name) in COMPLETION_FILES {
        check(
            &root.join("completions").join(name),
            &completion_script(shell),
            &mut stale,
        );
    }
    check(&root.join("man/sipreg.1"), &man_page().unwrap(), &mut stale);
    let pages = subcommand_pages().unwrap();
    assert!(pages.iter().any(|(name, _)| name == "sipreg-register.1"));
    for (name, page) in pages {
        check(&root.join("man").join(name), &page, &mut stale);
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; regenerate with: SIPREG_REGENERATE=1 cargo test --test generated_files"
    );
}

#[test]
fn man_page_has_the_exit_status_section() {
    let page = String::from_utf8(man_page().unwrap()).unwrap();
    assert!(page.contains(".SH \"EXIT STATUS\""));
    assert!(page.contains("SIPREG_PASSWORD"));
}
