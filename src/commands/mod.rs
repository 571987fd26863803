//! One file per subcommand: glue that reads, calls the pipeline, and renders; [`run`] dispatches
//! a parsed command line to them.

use anyhow::Result;

pub use outcome::Outcome;

use crate::cli::{Cli, Command};
use crate::render::Format;
use crate::settings::{
    ensure_gates_judge_a_log, CalibrateSettings, CompareSettings, DiffSettings, GateSettings,
    ReportSettings, UsageError,
};

pub mod calibrate;
pub mod catalog;
pub mod catalog_refresh;
pub mod compare;
pub mod diff;
pub mod docs;
mod outcome;
mod output;
pub mod regions;
pub mod report;
pub mod sample;

/// An error and its causes on one line, `: `-separated (as `{:#}` prints them), leaving out
/// every cause whose text the line already holds: a typed error that names its source in its
/// own message ("cannot read x.csv: No such file or directory (os error 2)") would otherwise
/// show the OS text twice.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let c = cause.to_string();
        if text.is_empty() {
            text = c;
        } else if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
    }
    text
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Compare(args) => {
            let mut settings = CompareSettings::from_args(
                &args.replay.input,
                &args.replay.catalog,
                &args.replay.sim,
                &args.output,
                args.generated_at.as_deref(),
            )?
            .with_planning(&args.planning)?
            .with_scenarios(&args.scenarios)?;
            settings.details = args.details;
            let gates = GateSettings::from_args(&args.gates)?;
            ensure_gates_judge_a_log(&settings, &gates)?;
            self::compare::run(&settings, &gates)
        }
        Command::Regions(args) => {
            let mut settings = CompareSettings::from_args(
                &args.replay.input,
                &args.replay.catalog,
                &args.replay.sim,
                &args.output,
                None,
            )?
            .with_planning(&args.planning)?;
            // Types the workload's region does not offer may be bought elsewhere: size them.
            settings.plan.size_other_types = true;
            if settings.format == Format::Focus {
                return Err(UsageError(
                    "--format focus exports a plan's projected costs: use it with compare or report".to_owned(),
                )
                .into());
            }
            settings.from_region = args.from.as_ref().map(|r| r.trim().to_ascii_lowercase());
            self::regions::run(&settings)
        }
        Command::Calibrate(args) => self::calibrate::run(&CalibrateSettings::from_args(&args)?),
        Command::Report(args) => self::report::run(&ReportSettings::from_args(&args)?),
        Command::Diff(args) if args.new.is_none() && args.new_scenario.is_none() => {
            Err(UsageError(
                "diff with one report compares two of its scenarios: pass --new-scenario NAME (and --base-scenario NAME, default baseline), or give NEW.json".to_owned(),
            )
            .into())
        }
        Command::Diff(args) => self::diff::run(&DiffSettings {
            new: args.new.unwrap_or_else(|| args.base.clone()),
            base: args.base,
            base_scenario: args.base_scenario,
            new_scenario: args.new_scenario,
            format: args.format,
            out: args.out,
        }),
        Command::Sample(args) => self::sample::run(&args),
        Command::Catalog(cmd) => self::catalog::run(cmd),
        Command::Completions(args) => self::docs::completions(args.shell),
        Command::Man(args) => self::docs::man(args.out_dir.as_deref()),
    }
}
