//! `ptuplan completions SHELL` and `ptuplan man`: shell completion scripts (clap_complete) and
//! man pages (clap_mangen), both generated from the same clap definition as `--help`
//! ([`crate::cli::command`]), so they cannot drift from the binary. The man pages add EXIT
//! STATUS, ENVIRONMENT and EXAMPLES from [`crate::cli::teach`], which `--help` shows too.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use roff::{bold, roman, Roff};

use super::outcome::Outcome;
use crate::cli::teach;

/// Print the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    let mut cmd = crate::cli::command();
    // Generated into memory first: clap_complete panics when its writer fails (a full disk,
    // a pipe closed early); the write below reports that as an error (a closed pipe exits 0).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ptuplan", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .context("writing the completion script")?;
    Ok(Outcome::Ok)
}

/// Print ptuplan.1 on stdout, or with `out_dir` write it and one page per subcommand there.
pub fn man(out_dir: Option<&Path>) -> Result<Outcome> {
    let mut root = crate::cli::command().disable_help_subcommand(true);
    root.build();
    match out_dir {
        None => {
            let mut out = std::io::stdout().lock();
            render_page(&root, &root, None, &mut out).context("writing the man page")?;
            out.flush().context("writing the man page")?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            write_pages(&root, &root, None, dir)
                .with_context(|| format!("writing man pages to {}", dir.display()))?;
        }
    }
    Ok(Outcome::Ok)
}

/// `cmd`'s page and its subcommands' pages, into `dir`.
fn write_pages(
    root: &clap::Command,
    cmd: &clap::Command,
    sub: Option<&str>,
    dir: &Path,
) -> std::io::Result<()> {
    for s in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(root, s, Some(s.get_name()), dir)?;
    }
    let name = format!(
        "{}.1",
        cmd.get_display_name().unwrap_or_else(|| cmd.get_name())
    );
    let mut file = std::fs::File::create(dir.join(name))?;
    render_page(root, cmd, sub, &mut file)?;
    file.flush()
}

/// One page: clap_mangen's sections, then EXIT STATUS, ENVIRONMENT and EXAMPLES.
fn render_page(
    root: &clap::Command,
    cmd: &clap::Command,
    sub: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    let mut roff = Roff::default();
    if sub.is_none() {
        roff.control("SH", ["INPUT KINDS"]);
        for row in crate::usage::formats::FORMATS.iter() {
            roff.control("TP", []);
            roff.text([bold(row.name)]);
            roff.text([roman(row.about)]);
        }
    }
    roff.control("SH", ["EXIT STATUS"]);
    for (code, what) in teach::EXIT_STATUS {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(what)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (var, what) in teach::environment(root) {
        roff.control("TP", []);
        roff.text([bold(var)]);
        roff.text([roman(what)]);
    }
    let examples = teach::examples_for(sub);
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (what, line) in examples {
            roff.control("TP", []);
            roff.text([roman(what)]);
            roff.text([bold(line)]);
        }
    }
    roff.to_writer(out)?;
    if cmd.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}
