//! The README's example output is the real binary's (issue 22): its first block is the head of
//! `ptuplan compare --as-of 2026-12-01` on the bundled sample (piped, so laid out for 100
//! columns), a `...` line, then the tail of the same output. After an intended change of the
//! output, regenerate it with `PTUPLAN_UPDATE_README=1 cargo test --test readme`.

use std::path::Path;
use std::process::Command;

const FENCE: &str = "```text\n";
/// Lines of the output the README shows before the `...` (the summary and the first workload's
/// block) and after it (the closing lines).
const HEAD_UNTIL: &str = "\n\nassist (";
const TAIL_LINES: usize = 4;

fn compare_output() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ptuplan"))
        .args(["compare", "--as-of", "2026-12-01"])
        .env_remove("COLUMNS")
        .env_remove("PTUPLAN_AS_OF")
        .env_remove("PTUPLAN_CATALOG")
        .env_remove("PTUPLAN_REGION")
        .env("NO_COLOR", "1")
        .output()
        .expect("run ptuplan");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The README's excerpt of `output`: its head (up to the second workload), `...`, its tail.
fn excerpt(output: &str) -> String {
    let head_end = output.find(HEAD_UNTIL).expect("a second workload block");
    let head = &output[..head_end];
    let lines: Vec<&str> = output.lines().collect();
    let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
    format!("{head}\n\n...\n\n{tail}\n")
}

#[test]
fn issue_22_the_readmes_example_is_the_binarys_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README");
    let start = readme.find(FENCE).expect("the example block") + FENCE.len();
    let end = start + readme[start..].find("```").expect("its end");
    let expected = excerpt(&compare_output());
    if std::env::var_os("PTUPLAN_UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
        std::fs::write(&path, updated).expect("write README");
        return;
    }
    assert_eq!(
        &readme[start..end],
        expected,
        "README.md's example is not the binary's output: run PTUPLAN_UPDATE_README=1 cargo test --test readme"
    );
}
