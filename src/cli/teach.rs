//! What the help, the man pages and the completions teach beyond the flags: the input kinds,
//! EXIT STATUS, ENVIRONMENT and EXAMPLES, each written once here and rendered into `--help`
//! (text) and the man pages (roff). The environment variables are read off the clap
//! definition itself, so a new `env = "PTUPLAN_..."` shows up in both without an edit here.

use clap::{Arg, ArgAction, Command};

use super::heading;

/// The exit statuses (main.rs and the signal handler in cleanup.rs pick them).
pub const EXIT_STATUS: [(&str, &str); 6] = [
    ("0", "Success (also when stdout is a pipe that closed early)."),
    (
        "1",
        "An error: bad input (the file, line and field are named), an unreadable file, an invalid catalog.",
    ),
    (
        "2",
        "A usage error: an unknown flag, a bad or out-of-range value, conflicting flags, an --out that is an input.",
    ),
    (
        "3",
        "A --fail-on budget rule was breached (the reports are still written).",
    ),
    (
        "129, 130, 143",
        "Ended by SIGHUP, SIGINT or SIGTERM, after removing the run's temp files.",
    ),
    (
        "101",
        "A bug (a panic); please report it with the command line.",
    ),
];

/// Variables read outside the flags (the `PTUPLAN_*` ones come from the flags' `env`).
pub const OTHER_ENVIRONMENT: [(&str, &str); 4] = [
    (
        "SOURCE_DATE_EPOCH",
        "Unix seconds: the report's generated_at and the default --as-of date, for reproducible runs.",
    ),
    (
        "NO_COLOR",
        "Set to anything but the empty string: no colour on the terminal.",
    ),
    (
        "COLUMNS, LINES",
        "The terminal's size when it cannot be read; tables fit the width (at least 40 columns).",
    ),
    (
        "TMPDIR",
        "Where the spool and the scenario replays keep their temp files.",
    ),
];

/// The common tasks (the README's), as `(what, command)`.
pub const EXAMPLES: [(&str, &str); 12] = [
    ("Compare every option on a log", "ptuplan compare usage.csv"),
    (
        "Machine-readable output",
        "ptuplan compare usage.csv --format json --out plan.json",
    ),
    (
        "A log without a model or region column",
        "ptuplan compare per-minute.csv --model-map '*=gpt-4o' --default-region eastus2",
    ),
    (
        "Report files and charts for people and CI",
        "ptuplan report usage.csv --out-dir reports",
    ),
    (
        "Fail a CI job on a budget (exit status 3)",
        "ptuplan report usage.csv --fail-on 'monthly_cost_usd>5000' --fail-on 'failed_pct>1'",
    ),
    (
        "What if traffic triples",
        "ptuplan compare usage.csv --scale 3",
    ),
    (
        "How many PTUs to reserve as traffic grows",
        "ptuplan compare usage.csv --growth-pct 5 --horizon-months 12",
    ),
    (
        "Compare two runs",
        "ptuplan diff old.json new.json",
    ),
    (
        "Where to buy PTUs, from where the callers are",
        "ptuplan regions usage.csv --from westeurope --residency eu",
    ),
    (
        "Fit the burst allowance to a real PTU deployment's log",
        "ptuplan calibrate ptu.csv --deployment chat --type global-provisioned --ptus 100",
    ),
    (
        "Today's list prices",
        "ptuplan catalog refresh --out prices.yaml && ptuplan compare usage.csv --prices prices.yaml",
    ),
    (
        "Shell completions and the man page",
        "ptuplan completions zsh > \"${fpath[1]}/_ptuplan\"; man -l <(ptuplan man)",
    ),
];

/// The input kinds, one line each, for the top-level help.
pub fn input_kinds() -> String {
    let mut text =
        String::from("Input kinds (detected from the content; --input-format KIND forces one):\n");
    for row in crate::usage::formats::FORMATS.iter() {
        text.push_str(&format!("  {:<19}{}\n", row.name, short_about(row.about)));
    }
    text.push_str("\n'ptuplan COMMAND -h' lists a command's options; --help explains each.");
    text
}

/// A format's description cut to its first clause, at most 60 columns (at a word).
fn short_about(about: &str) -> String {
    let cut = [": ", " ("]
        .iter()
        .filter_map(|sep| about.find(sep))
        .min()
        .unwrap_or(about.len());
    let head = &about[..cut];
    if head.chars().count() <= 60 {
        return head.to_owned();
    }
    let mut s = String::new();
    for word in head.split(' ') {
        if s.chars().count() + word.chars().count() + 1 > 58 {
            break;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(word);
    }
    s.push_str(" …");
    s
}

/// `(variable, what it sets)` for every `env` of `cmd` and its subcommands, then the others.
pub fn environment(cmd: &Command) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = Vec::new();
    collect_env(cmd, &mut vars);
    vars.sort();
    vars.dedup_by(|a, b| a.0 == b.0);
    vars.extend(
        OTHER_ENVIRONMENT
            .iter()
            .map(|(v, what)| ((*v).to_owned(), (*what).to_owned())),
    );
    vars
}

fn collect_env(cmd: &Command, vars: &mut Vec<(String, String)>) {
    for arg in cmd.get_arguments() {
        if let (Some(env), Some(long)) = (arg.get_env(), arg.get_long()) {
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            vars.push((
                env.to_string_lossy().into_owned(),
                format!("--{long}: {}", help.trim_end_matches('.')),
            ));
        }
    }
    for sub in cmd.get_subcommands() {
        collect_env(sub, vars);
    }
}

/// The examples that run `sub` (all of them for the top level).
pub fn examples_for(sub: Option<&str>) -> Vec<(&'static str, &'static str)> {
    EXAMPLES
        .iter()
        .copied()
        .filter(|(_, cmd)| match sub {
            None => true,
            Some(name) => cmd.contains(&format!("ptuplan {name} ")),
        })
        .collect()
}

/// The top level's `--help` after the options: input kinds, exit status, environment,
/// examples.
pub fn root_long_after(cmd: &Command) -> String {
    let mut text = input_kinds();
    text.push_str("\n\nExit status:\n");
    for (code, what) in EXIT_STATUS {
        text.push_str(&format!("  {code:<15}{what}\n"));
    }
    text.push_str("\nEnvironment:\n");
    for (var, what) in environment(cmd) {
        text.push_str(&format!("  {var:<19}{what}\n"));
    }
    text.push_str("\nExamples:\n");
    for (what, line) in examples_for(None) {
        text.push_str(&format!("  # {what}\n  {line}\n"));
    }
    text
}

/// Value lists go to the long help only: `-h` keeps one line per option, `--help` lists the
/// values with their meaning. Short lists (five or fewer) are spelled in the value name
/// instead (`<1-month|1-year>`).
pub fn values_in_long_help(mut cmd: Command) -> Command {
    let ids: Vec<clap::Id> = cmd
        .get_arguments()
        .filter(|a| {
            a.get_action().takes_values()
                && !a.is_hide_possible_values_set()
                && !a.get_possible_values().is_empty()
        })
        .map(|a| a.get_id().clone())
        .collect();
    for id in ids {
        cmd = cmd.mut_arg(id, |arg| {
            let values = arg.get_possible_values();
            let visible: Vec<_> = values.iter().filter(|v| !v.is_hide_set()).collect();
            let mut long = arg
                .get_long_help()
                .or(arg.get_help())
                .map(|h| h.to_string())
                .unwrap_or_default();
            long.push_str("\n\nValues:");
            for v in &visible {
                match v.get_help() {
                    Some(h) => long.push_str(&format!("\n  {:<19}{h}", v.get_name())),
                    None => long.push_str(&format!("\n  {}", v.get_name())),
                }
            }
            let names: Vec<&str> = visible.iter().map(|v| v.get_name()).collect();
            let arg = arg.hide_possible_values(true).long_help(long);
            if names.join("|").len() <= 16 {
                arg.value_name(names.join("|"))
            } else {
                arg
            }
        });
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, values_in_long_help);
    }
    cmd
}

/// Every subcommand's `-h, --help` sits under the Output heading (no lone "Options:" block).
pub fn headed_help_flag(mut cmd: Command) -> Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| {
            let has_subcommands = sub.has_subcommands();
            let sub = sub.disable_help_flag(true).arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::Help)
                    .help("Print help (--help: every option, explained)")
                    .help_heading(heading::OUTPUT),
            );
            if has_subcommands {
                headed_help_flag(sub)
            } else {
                sub
            }
        });
    }
    cmd
}

/// `ptuplan --version`: the crate version and the built-in catalog's as-of date.
pub fn version_line() -> String {
    let as_of = crate::catalog::load_catalog(&crate::catalog::CatalogSource::Embedded)
        .ok()
        .and_then(|c| c.newest_as_of())
        .map_or_else(|| "unknown".to_owned(), |d| d.to_string());
    format!("{} (catalog as of {as_of})", env!("CARGO_PKG_VERSION"))
}
