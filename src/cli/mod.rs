//! Command-line definition (clap derive), clap only: doc comments are the help text, and
//! `app` turns the raw flags into validated settings. One file of arguments per subcommand,
//! the groups several share in [`groups`], every value parser in [`parse`].

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod calibrate;
mod catalog;
mod compare;
pub mod deprecated;
mod diff;
mod docs;
mod groups;
mod parse;
mod regions;
mod report;
mod sample;
pub mod teach;

/// The help headings every option sits under (issue 23): `-h` and the man pages group by them,
/// and a test fails on an option without one.
pub mod heading {
    /// Where the usage data comes from and how it is read.
    pub const INPUT: &str = "Input";
    /// The catalog, prices, quotes.
    pub const CATALOG: &str = "Catalog and prices";
    /// How the replay behaves (429s, the PTU bucket, Standard quotas).
    pub const SIMULATION: &str = "Simulation";
    /// What an option must meet and what the decision may commit to.
    pub const SIZING: &str = "Sizing and decision";
    /// Scenarios: the log changed before it is replayed.
    pub const WHAT_IF: &str = "What-if";
    /// Formats, files, messages.
    pub const OUTPUT: &str = "Output";
    /// Budget rules for CI.
    pub const GATES: &str = "CI gates";
    /// Limits and threads (results do not depend on them).
    pub const PERFORMANCE: &str = "Performance";
    /// The recorded deployment `calibrate` fits.
    pub const CALIBRATION: &str = "Calibration";
    /// The synthetic log `sample` writes.
    pub const SAMPLE: &str = "Sample";
    /// What `catalog refresh` fetches.
    pub const FETCH: &str = "Fetch";
}

pub use calibrate::{CalibrateArgs, CalibrateFormat, ProvisionedTypeArg};
pub use catalog::{CatalogCommand, CatalogFormat, CatalogShowArgs, RefreshArgs};
pub use compare::CompareArgs;
pub use diff::DiffArgs;
pub use docs::{CompletionsArgs, ManArgs};
pub use groups::{
    CatalogArgs, GateArgs, InputArgs, OnThrottleArg, OutputArgs, PlanningArgs, ReplayArgs,
    ReserveTermArg, ScenarioArgs, SimArgs,
};
pub use parse::token_count as parse_token_count;
pub use parse::{
    MigrateFactors, MissingMaxArg, QuotaTpmArg, ReserveArg, SelectArg, WindowBand,
    MAX_MISSING_MAX_TOKENS, MAX_RESERVE_PTUS,
};
pub use regions::RegionsArgs;
pub use report::ReportArgs;
pub use sample::{SampleArgs, MAX_SAMPLE_REQUESTS};

/// Replay Azure OpenAI usage logs against every deployment option (Standard, Batch, Flex, PTU)
/// and compare cost and capacity.
///
/// ptuplan reads request-level token logs and the exports of Azure, APIM, LiteLLM, OpenAI and
/// Langfuse (the input kinds below, optionally gzipped), prices them with a sourced catalog
/// (data/*.yaml, built in), simulates how every deployment option would have served the same
/// requests (429s, spillover, retries, quotas), and prints a comparison with one decision per
/// workload.
#[derive(Debug, Parser)]
#[command(name = "ptuplan", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare every deployment option on a usage log (the main job).
    ///
    /// With no LOG, replays the bundled 30-day sample and says so on stderr.
    Compare(CompareArgs),
    /// Write the full report set to a directory: Markdown, JSON, CSV, HTML and charts.
    ///
    /// Writes report.md, report.json, options.csv, report.html and charts/*.svg and
    /// charts/*.png, all from the same run as `compare`. Takes the same inputs and flags.
    Report(ReportArgs),
    /// Compare two JSON reports: each workload's decision and cost, before and after.
    ///
    /// Workloads are matched by deployment, model and region; added and removed ones are
    /// listed. Reads the JSON of `compare --format json` or report.json of `report`.
    Diff(DiffArgs),
    /// Write a deterministic synthetic usage log.
    Sample(SampleArgs),
    /// Rank every region x provisioned type x term where each workload's model is available.
    ///
    /// For procurement: monthly PTU cost at the workload's sized PTU count, where data is
    /// processed, and the latency target, after --prices, --overrides and --residency.
    Regions(RegionsArgs),
    /// Fit the PTU burst allowance (bucket window) to a log of a real PTU deployment.
    ///
    /// Replays every request the deployment was offered (2xx and 429 rows) at its PTU count
    /// over a range of bucket windows and reports the window whose 429s match the logged ones
    /// best, request by request and minute by minute. Use it with compare --bucket-window-s.
    // The shared input group's sample and its words do not apply: a fit needs a real log.
    #[command(
        mut_arg("sample", |a| a.hide(true)),
        mut_arg("logs", |a| a
            .help("Usage log of the real PTU deployment, with its 429 rows")
            .long_help("Usage logs of the real PTU deployment (CSV, JSON, JSON Lines or Parquet, optionally .gz), with a status column: its 429 rows are the service's answers; `-` reads stdin. Required: the bundled sample has no real 429s to fit."))
    )]
    Calibrate(CalibrateArgs),
    /// Inspect or check the catalog.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    ///
    /// Generated from the same command-line definition as --help, so it always matches this
    /// binary. Install: see the README ("Shell completions and the man page").
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per subcommand to a directory.
    ///
    /// Generated from the same command-line definition as --help. `man -l <(ptuplan man)`
    /// shows it; `ptuplan man --out-dir DIR` writes ptuplan.1 and ptuplan-<command>.1.
    Man(ManArgs),
}

/// The command-line definition with what the derive cannot say: the input kinds on the
/// top-level help, `-h` under the Output heading, possible values in the long help only,
/// EXIT STATUS, ENVIRONMENT and EXAMPLES. `--help`, the man pages and the completions all
/// come from it.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let after = teach::root_long_after(&cmd);
    let cmd = cmd.after_help(teach::input_kinds()).after_long_help(after);
    teach::headed_help_flag(teach::values_in_long_help(cmd))
}

/// Parse the process's arguments (clap exits on `--help` and on errors, with status 2). With
/// `--version` the version line also names the built-in catalog's as-of date.
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut cmd = command();
    if args.iter().skip(1).any(|a| a == "--version" || a == "-V") {
        cmd = cmd.version(teach::version_line());
    }
    let matches = match cmd.clone().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            if let Some(var) = empty_env_behind(&cmd, &e, &args) {
                // Raw, like clap's own errors under a subcommand: no top-level usage line.
                clap::Error::raw(
                    clap::error::ErrorKind::InvalidValue,
                    format!(
                        "the environment variable {var} is set but empty, and it gives {} its \
                         value; unset it, or set it to a value\n\n\
                         For more information, try '--help'.\n",
                        var_flag(&cmd, &var)
                    ),
                )
                .exit();
            }
            e.exit()
        }
    };
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `(variable, --flag)` for every `env` of `cmd` and its subcommands.
fn env_flags(cmd: &clap::Command) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = cmd
        .get_arguments()
        .filter_map(|a| {
            Some((
                a.get_env()?.to_string_lossy().into_owned(),
                format!("--{}", a.get_long()?),
            ))
        })
        .collect();
    for sub in cmd.get_subcommands() {
        out.extend(env_flags(sub));
    }
    out
}

/// The flag a variable stands for (its name when none does).
fn var_flag(cmd: &clap::Command, var: &str) -> String {
    env_flags(cmd)
        .into_iter()
        .find(|(v, _)| v == var)
        .map_or_else(|| var.to_owned(), |(_, flag)| format!("`{flag}`"))
}

/// A `PTUPLAN_*` variable set to the empty string behind a parse error that names its flag,
/// when the flag is not on the command line: clap reports such a value as the flag's ("a
/// value is required for '--catalog'"), which blames a flag the user never typed.
fn empty_env_behind(
    cmd: &clap::Command,
    e: &clap::Error,
    args: &[std::ffi::OsString],
) -> Option<String> {
    let message = e.to_string();
    env_flags(cmd).into_iter().find_map(|(var, flag)| {
        let typed = args.iter().any(|a| {
            let a = a.to_string_lossy();
            a == flag || a.starts_with(&format!("{flag}="))
        });
        let empty = !typed && std::env::var_os(&var).is_some_and(|v| v.is_empty());
        let names_it =
            message.contains(&format!("'{flag} ")) || message.contains(&format!("'{flag}'"));
        (empty && names_it).then_some(var)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
        command().debug_assert();
    }

    /// Every subcommand (nested ones too) with its path, e.g. `catalog refresh`.
    fn all_commands() -> Vec<(String, clap::Command)> {
        fn walk(prefix: &str, cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
            for sub in cmd.get_subcommands() {
                let path = format!("{prefix} {}", sub.get_name()).trim().to_owned();
                out.push((path.clone(), sub.clone()));
                walk(&path, sub, out);
            }
        }
        let mut root = command();
        root.build();
        let mut out = Vec::new();
        walk("", &root, &mut out);
        out
    }

    /// Issue 23: every visible option of every subcommand sits under a heading (so `-h` and
    /// the man pages group it), and one concept has one name: a flag name means the same in
    /// every subcommand, two flags never share a description, old spellings are hidden aliases
    /// listed in [`deprecated::FLAGS`], percentages end in `-pct`, and the scenarios file's
    /// keys are the flags' names.
    #[test]
    fn issue_23_every_flag_has_a_heading_and_one_concept_one_name() {
        let mut heading_of: std::collections::BTreeMap<String, (String, String)> =
            Default::default();
        let mut long_of_help: std::collections::BTreeMap<String, String> = Default::default();
        let mut problems = Vec::new();
        for (path, cmd) in all_commands() {
            for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
                let Some(long) = arg.get_long() else { continue };
                let Some(heading) = arg.get_help_heading() else {
                    problems.push(format!("{path} --{long} has no help heading"));
                    continue;
                };
                // A subcommand's own heading (Sample, Fetch, Calibration) holds what only it
                // has; `sample --seed` is the seed of its draws as `compare --seed` is of its.
                let own = [heading::SAMPLE, heading::FETCH, heading::CALIBRATION];
                match heading_of.get(long) {
                    Some((h, other))
                        if h != heading && !own.contains(&heading) && !own.contains(&h.as_str()) =>
                    {
                        problems.push(format!(
                        "--{long} is under {heading} in {path} but under {h} in {other}: one name, two concepts?"
                    ))
                    }
                    _ => {
                        heading_of.insert(long.to_owned(), (heading.to_owned(), path.clone()));
                    }
                }
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                match long_of_help.get(&help) {
                    Some(other) if other != long => problems.push(format!(
                        "--{long} ({path}) and --{other} are described alike, `{help}`: two names for one concept?"
                    )),
                    _ => {
                        long_of_help.insert(help, long.to_owned());
                    }
                }
                let value_names: Vec<String> = arg
                    .get_value_names()
                    .unwrap_or_default()
                    .iter()
                    .map(|v| v.to_string())
                    .collect();
                let percent = value_names.iter().any(|v| v == "PCT");
                if percent != long.ends_with("-pct") {
                    problems.push(format!(
                        "{path} --{long} <{}>: percent flags, and only they, end in -pct",
                        value_names.join(" ")
                    ));
                }
                for alias in arg.get_all_aliases().unwrap_or_default() {
                    if !deprecated::FLAGS.contains(&(alias, long)) {
                        problems.push(format!(
                            "{path} --{long} has alias --{alias}, not listed in deprecated::FLAGS"
                        ));
                    }
                }
                if arg.get_visible_aliases().is_some_and(|a| !a.is_empty()) {
                    problems.push(format!("{path} --{long}: a visible alias is a second name"));
                }
            }
            for (old, new) in deprecated::FLAGS {
                if let Some(arg) = cmd.get_arguments().find(|a| a.get_long() == Some(new)) {
                    if !arg.get_all_aliases().unwrap_or_default().contains(&old) {
                        problems.push(format!("{path} --{new} lost its old spelling --{old}"));
                    }
                }
            }
        }
        let compare = command()
            .find_subcommand("compare")
            .expect("compare")
            .clone();
        for key in crate::scenario::file::KINDS {
            let flag = match key {
                "growth" => "growth-pct".to_owned(),
                "add" => continue,
                other => other.replace('_', "-"),
            };
            if !compare.get_arguments().any(|a| a.get_long() == Some(&flag)) {
                problems.push(format!(
                    "scenario key `{key}` has no flag --{flag}: one concept, two names?"
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Issue 23: `compare -h` stays a screen (one line per option, grouped).
    #[test]
    fn issue_23_compare_short_help_fits_a_screen() {
        let mut cmd = command().term_width(100);
        let compare = cmd.find_subcommand_mut("compare").expect("compare");
        let help = compare.render_help().to_string();
        let lines = help.lines().count();
        assert!(lines <= 62, "compare -h is {lines} lines:\n{help}");
        for heading in [
            "Input:",
            "Simulation:",
            "Sizing and decision:",
            "What-if:",
            "Output:",
            "CI gates:",
        ] {
            assert!(help.contains(heading), "{heading}");
        }
        let long = compare.render_long_help().to_string();
        assert!(
            long.contains("Performance:") && long.contains("--threads"),
            "{long}"
        );
        assert!(help.lines().all(|l| l.chars().count() <= 100));
    }

    #[test]
    fn issue_23_version_names_the_catalog_date() {
        let v = teach::version_line();
        assert!(v.starts_with(env!("CARGO_PKG_VERSION")), "{v}");
        assert!(v.contains("(catalog as of 20"), "{v}");
    }
}
