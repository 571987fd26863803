//! The README's examples run as pasted (issue 23): the crate version follows the CHANGELOG,
//! and the GitHub Actions example installs that version and its `ptuplan` lines run against
//! the built binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).expect(name)
}

/// The README's CI section, heading to the next `## ` heading.
fn ci_section() -> String {
    let readme = read("README.md");
    let start = readme
        .find("## In CI: GitHub Actions")
        .expect("the README's CI section");
    readme[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Shell words of one command line: blanks split, single and double quotes group (no
/// expansion: the example's lines have none).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unbalanced quote in {line}");
    if in_word {
        words.push(word);
    }
    words
}

/// The `ptuplan ...` commands of a shell block, continuation lines joined.
fn ptuplan_commands(block: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut current: Option<String> = None;
    for line in block.lines() {
        let l = line.trim();
        match current.as_mut() {
            Some(c) => c.push_str(&format!(" {}", l.trim_end_matches('\\'))),
            None if l.starts_with("ptuplan ") => {
                current = Some(l.trim_end_matches('\\').to_owned())
            }
            None => continue,
        }
        if !l.ends_with('\\') {
            commands.push(shell_words(&current.take().expect("a command")));
        }
    }
    commands
}

#[test]
fn issue_23_the_crate_version_follows_the_changelog() {
    let changelog = read("CHANGELOG.md");
    let newest = changelog
        .lines()
        .find_map(|l| l.strip_prefix("## "))
        .expect("a version heading");
    let version = newest.split_whitespace().next().expect("a version");
    assert_eq!(
        version,
        env!("CARGO_PKG_VERSION"),
        "CHANGELOG's newest is {newest}"
    );
    // Released versions carry no "(unreleased)": only the newest may.
    let unreleased = changelog
        .lines()
        .filter(|l| l.starts_with("## ") && l.contains("unreleased"))
        .count();
    assert!(unreleased <= 1, "{unreleased} sections say unreleased");
    let ci = ci_section();
    let tag = format!("--tag v{version} ");
    assert!(
        ci.contains(&tag),
        "the CI example installs another version than {version}"
    );
    assert!(
        ci.contains(&format!("-v{version}\n")),
        "the cache key names another version"
    );
}

#[test]
fn issue_23_the_readme_ci_example_runs_as_pasted() {
    let commands = ptuplan_commands(&ci_section());
    assert_eq!(commands.len(), 1, "{commands:?}");
    let args = &commands[0][1..];
    assert_eq!(args[0], "report");
    let dir = tempfile::TempDir::new().expect("tmp");
    std::fs::create_dir(dir.path().join("logs")).expect("logs/");
    std::fs::copy(
        root().join("data/samples/sample-30d.csv.gz"),
        dir.path().join("logs/usage.csv.gz"),
    )
    .expect("the sample as the repository's log");
    // The committed baseline: a report of the same log.
    Command::new(env!("CARGO_BIN_EXE_ptuplan"))
        .current_dir(dir.path())
        .args([
            "report",
            "logs/usage.csv.gz",
            "--out-dir",
            "baseline",
            "--quiet",
        ])
        .assert()
        .success();
    let out = Command::new(env!("CARGO_BIN_EXE_ptuplan"))
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    assert!(
        !stderr.contains("deprecated"),
        "the example uses an old spelling: {stderr}"
    );
    assert!(Path::new(&dir.path().join("reports/report.md")).exists());
}

#[test]
fn issue_23_the_readme_examples_use_no_old_spelling() {
    let readme = read("README.md");
    for (old, new) in ptuplan::cli::deprecated::FLAGS {
        if old == "region" {
            continue; // `catalog refresh --region` is its own flag.
        }
        let needle = format!("--{old} ");
        assert!(
            !readme.contains(&needle),
            "README uses --{old}; write --{new}"
        );
    }
}
