//! What-if scenarios: named lists of transforms of the record stream, between reading and the
//! simulation (`usage -> scenario -> sim -> plan`). A scenario never copies the log: the
//! [`lane::Fanout`] sink hands every record the readers deliver to the baseline and, through
//! each scenario's transforms, to that scenario's own replay, so the log is read once for all
//! of them.
//!
//! Transforms (each with a [`Selector`] of deployment, model and region globs that names the
//! log's workloads it applies to):
//! - `scale F`: traffic x F by deterministic thinning or replication, never by multiplying
//!   tokens, so bursts keep their shape ([`draw`]);
//! - `growth`: % per month over a horizon (the scenario is the horizon's last month; the
//!   reservation ladder plans every month);
//! - `migrate FROM=TO`: a model change with prompt, output and reasoning factors;
//! - `cache_rate_pct`: a target cached share of prompt tokens;
//! - `reasoning F`: reasoning tokens x F (a stand-in for reasoning effort);
//! - `batch_shift_pct`: a share of requests moved to a Batch workload;
//! - `move_region`: a move to another region;
//! - `add`: a synthetic workload ([`add`]).
//!
//! Everything here is pure: no I/O, no printing. [`file`] parses the YAML text it is given.

pub mod add;
pub mod coverage;
pub mod draw;
pub mod file;
pub mod lane;
pub mod retire;
pub mod route;

use crate::catalog::Catalog;
use crate::usage::WorkloadKey;

/// Largest single traffic factor (a `scale`, a growth over its horizon), and the default cap
/// on their product per workload ([`lane::ScenarioBudget`], `--max-traffic-factor`).
pub const MAX_TRAFFIC_FACTOR: f64 = 1000.0;
/// Longest horizon, months.
pub const MAX_HORIZON_MONTHS: u32 = 60;
/// Default horizon of growth and the reservation ladder, months.
pub const DEFAULT_HORIZON_MONTHS: u32 = 12;
/// Default number of months of traffic a reservation plan simulates.
pub const DEFAULT_LADDER_POINTS: u32 = 6;
/// Default spread of replicated requests around the original arrival, ms (kept inside the
/// original's calendar minute).
pub const DEFAULT_JITTER_MS: u32 = 5_000;
/// Default seed of a scenario's draws.
pub const DEFAULT_SEED: u64 = 0x5ce7_a210;
/// The name that stands for the untransformed log (in `diff --base-scenario`).
pub const BASELINE: &str = "baseline";
/// The scenario whose reservation plan follows the log's own forecast (`--horizon-months`
/// without `--growth`).
pub const FORECAST_SCENARIO: &str = "forecast";
/// The traffic factors (against the log) the forecast's reservation plan simulates: 1.2^k
/// for k = -3..=6 (0.58 to 2.99). Each month of a workload uses the level just above its
/// median forecast (a need beyond the last is planned at the last, and the plan says so).
pub const FORECAST_LEVELS: [f64; 10] = [
    0.578_703_703_703_703_7,
    0.694_444_444_444_444_4,
    0.833_333_333_333_333_4,
    1.0,
    1.2,
    1.44,
    1.728,
    2.0736,
    2.488_32,
    2.985_984,
];
/// Suffix of the deployment name of a workload's requests moved to Batch.
pub const BATCH_SUFFIX: &str = " [batch]";

/// A glob over names: `*` any run, `?` one character, `[...]` a class (the `glob` crate's
/// syntax, case-sensitive, `/` not special).
#[derive(Debug, Clone)]
pub struct Glob {
    text: String,
    pattern: glob::Pattern,
}

impl Glob {
    /// Parse a glob; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Glob, String> {
        glob::Pattern::new(text)
            .map(|pattern| Glob {
                text: text.to_owned(),
                pattern,
            })
            .map_err(|e| format!("`{}` is not a valid glob: {}", text.escape_debug(), e.msg))
    }

    /// The glob that matches everything.
    pub fn any() -> Glob {
        Glob::parse("*").expect("`*` is a valid glob")
    }

    /// Whether `name` matches.
    pub fn matches(&self, name: &str) -> bool {
        self.pattern.matches_with(
            name,
            glob::MatchOptions {
                case_sensitive: true,
                require_literal_separator: false,
                require_literal_leading_dot: false,
            },
        )
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True for `*`.
    pub fn is_any(&self) -> bool {
        self.text == "*"
    }
}

impl PartialEq for Glob {
    fn eq(&self, other: &Glob) -> bool {
        self.text == other.text
    }
}

/// Which of the log's workloads a transform applies to (the JSON `transforms[].select`).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    /// Deployment-name glob (default `*`).
    pub deployment: Glob,
    /// Catalog-model glob (default `*`), e.g. `gpt-4.1*`.
    pub model: Glob,
    /// Region glob (default `*`).
    pub region: Glob,
}

impl Default for Selector {
    fn default() -> Self {
        Selector {
            deployment: Glob::any(),
            model: Glob::any(),
            region: Glob::any(),
        }
    }
}

impl Selector {
    /// Whether the selector names workload `key`.
    pub fn matches(&self, key: &WorkloadKey) -> bool {
        self.deployment.matches(&key.deployment)
            && self.model.matches(&key.model)
            && self.region.matches(&key.region)
    }

    /// "deployment chat-*, model gpt-4.1" (empty for the selector of everything).
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            ("deployment", &self.deployment),
            ("model", &self.model),
            ("region", &self.region),
        ]
        .into_iter()
        .filter(|(_, g)| !g.is_any())
        .map(|(what, g)| format!("{what} {}", g.as_str()))
        .collect();
        parts.join(", ")
    }
}

/// A model change (`migrate FROM=TO`).
#[derive(Debug, Clone, PartialEq)]
pub struct Migration {
    /// The catalog model migrated from.
    pub from: String,
    /// The catalog model migrated to.
    pub to: String,
    /// Prompt tokens (and their cached and cache-write parts) x this (default 1).
    pub prompt_factor: f64,
    /// Visible output tokens (completion minus reasoning) x this (default 1).
    pub output_factor: f64,
    /// Reasoning tokens x this (default 1).
    pub reasoning_factor: f64,
}

/// A synthetic workload (`add`): arrivals follow the sample generator's business-hours and
/// weekday pattern over the log's span; sizes are log-normal around the medians given.
#[derive(Debug, Clone, PartialEq)]
pub struct AddedWorkload {
    /// Deployment name.
    pub deployment: String,
    /// Catalog model.
    pub model: String,
    /// Region (`armRegionName`).
    pub region: String,
    /// Mean requests per day over the span.
    pub requests_per_day: f64,
    /// Median prompt tokens.
    pub prompt_tokens: u64,
    /// Median completion tokens (reasoning included).
    pub completion_tokens: u64,
    /// Median reasoning tokens (part of the completion; default 0).
    pub reasoning_tokens: u64,
    /// Share of prompt tokens served from the cache, percent (default 0).
    pub cached_percent: f64,
    /// The requests' `max_completion_tokens` (default: none logged).
    pub max_completion_tokens: Option<u64>,
}

/// What a transform does (the JSON `transforms[]`, tagged by `kind`).
#[derive(Debug, Clone, PartialEq)]
pub enum TransformKind {
    /// Traffic x `factor`.
    Scale {
        /// Traffic factor (> 0).
        factor: f64,
    },
    /// Traffic x (1 + percent/100) per month.
    Growth {
        /// Growth per month, percent (> -100).
        percent_per_month: f64,
        /// Months of growth: the horizon.
        months: u32,
    },
    /// A model change.
    Migrate(Migration),
    /// Cached share of prompt tokens set to `percent`.
    CacheRate {
        /// Target cached share, percent of prompt tokens.
        percent: f64,
    },
    /// Reasoning tokens x `factor`.
    Reasoning {
        /// Factor (>= 0).
        factor: f64,
    },
    /// `percent` of requests moved to Batch.
    BatchShift {
        /// Share of requests, percent.
        percent: f64,
    },
    /// A move to another region.
    Region {
        /// The region moved to.
        to: String,
    },
    /// A synthetic workload.
    Add(AddedWorkload),
}

impl TransformKind {
    /// The kind's name, as in YAML.
    pub fn name(&self) -> &'static str {
        match self {
            TransformKind::Scale { .. } => "scale",
            TransformKind::Growth { .. } => "growth",
            TransformKind::Migrate(_) => "migrate",
            TransformKind::CacheRate { .. } => "cache_rate_pct",
            TransformKind::Reasoning { .. } => "reasoning",
            TransformKind::BatchShift { .. } => "batch_shift_pct",
            TransformKind::Region { .. } => "move_region",
            TransformKind::Add(_) => "add",
        }
    }
}

/// One transform of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Transform {
    /// What it does.
    pub kind: TransformKind,
    /// The log's workloads it applies to.
    pub select: Selector,
    /// Where it was given (`scenarios.yaml:7`, `--scale`).
    pub at: String,
    /// In words.
    pub description: String,
}

impl Transform {
    /// A transform with its description filled in.
    pub fn new(kind: TransformKind, select: Selector, at: impl Into<String>) -> Transform {
        let mut t = Transform {
            kind,
            select,
            at: at.into(),
            description: String::new(),
        };
        t.description = t.describe();
        t
    }

    fn describe(&self) -> String {
        let what = match &self.kind {
            TransformKind::Scale { factor } => format!("traffic x{}", fmt_factor(*factor)),
            TransformKind::Growth {
                percent_per_month,
                months,
            } => format!(
                "traffic {}{}% per month for {months} months (x{} at the end)",
                if *percent_per_month >= 0.0 { "+" } else { "" },
                fmt_factor(*percent_per_month),
                fmt_factor(growth_factor(*percent_per_month, *months))
            ),
            TransformKind::Migrate(m) => {
                let mut s = format!("migrate {} to {}", m.from, m.to);
                let factors: Vec<String> = [
                    ("prompt", m.prompt_factor),
                    ("output", m.output_factor),
                    ("reasoning", m.reasoning_factor),
                ]
                .into_iter()
                .filter(|(_, f)| *f != 1.0)
                .map(|(n, f)| format!("{n} x{}", fmt_factor(f)))
                .collect();
                if !factors.is_empty() {
                    s.push_str(&format!(" ({})", factors.join(", ")));
                }
                s
            }
            TransformKind::CacheRate { percent } => {
                format!(
                    "cached share of prompt tokens set to {}%",
                    fmt_factor(*percent)
                )
            }
            TransformKind::Reasoning { factor } => {
                format!("reasoning tokens x{}", fmt_factor(*factor))
            }
            TransformKind::BatchShift { percent } => {
                format!("{}% of requests moved to Batch", fmt_factor(*percent))
            }
            TransformKind::Region { to } => format!("moved to {to}"),
            TransformKind::Add(a) => format!(
                "add {} ({} @ {}): {} requests per day, median {} prompt / {} completion tokens",
                a.deployment,
                a.model,
                a.region,
                fmt_factor(a.requests_per_day),
                a.prompt_tokens,
                a.completion_tokens
            ),
        };
        let sel = match self.kind {
            // A migration's model is in its description already.
            TransformKind::Migrate(_) => Selector {
                model: Glob::any(),
                ..self.select.clone()
            }
            .describe(),
            _ => self.select.describe(),
        };
        if sel.is_empty() || matches!(self.kind, TransformKind::Add(_)) {
            what
        } else {
            format!("{what} ({sel})")
        }
    }
}

/// `3`, `1.5`, `0.333`: a factor for people (at most 3 decimals, no trailing zeros).
pub fn fmt_factor(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Traffic factor after `months` months of `percent_per_month` growth.
pub fn growth_factor(percent_per_month: f64, months: u32) -> f64 {
    (1.0 + percent_per_month / 100.0).powi(months as i32)
}

/// A named list of transforms (JSON `scenarios[]` carries its name, origin and transforms).
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// Where it came from: `scenarios.yaml:3`, `command line`, `automatic: retirement`.
    pub origin: String,
    /// Seed of the draws (thinning, replication, jitter, Batch shift).
    pub seed: u64,
    /// Spread of replicated requests around the original arrival, ms.
    pub jitter_ms: u32,
    /// Free-text description, if given.
    pub description: Option<String>,
    /// The transforms.
    pub transforms: Vec<Transform>,
}

impl Scenario {
    /// The horizon of the scenario's growth, months (None without growth).
    pub fn horizon_months(&self) -> Option<u32> {
        self.transforms
            .iter()
            .filter_map(|t| match t.kind {
                TransformKind::Growth { months, .. } => Some(months),
                _ => None,
            })
            .max()
    }

    /// Check the scenario against the catalog and itself; one line per problem, each naming
    /// where the transform was given.
    pub fn validate(&self, catalog: &Catalog) -> Vec<String> {
        let mut problems = Vec::new();
        let mut horizon: Option<(u32, &str)> = None;
        for t in &self.transforms {
            let mut p = |msg: String| problems.push(format!("{}: {msg}", t.at));
            check_ranges(&t.kind, &mut p);
            match &t.kind {
                TransformKind::Growth { months, .. } => match horizon {
                    Some((h, at)) if h != *months => p(format!(
                        "growth over {months} months, but {at} grows over {h}: one scenario has one horizon"
                    )),
                    _ => horizon = Some((*months, &t.at)),
                },
                TransformKind::Migrate(m) => {
                    for (what, model) in [("from", &m.from), ("to", &m.to)] {
                        if catalog.model(model).is_none() {
                            p(unknown_model(catalog, what, model));
                        }
                    }
                    if m.from == m.to {
                        p(format!("migrate from {} to itself", m.from));
                    }
                }
                TransformKind::Region { to } if !catalog.known_regions().contains(&to.as_str()) => {
                    p(unknown_region(catalog, to));
                }
                TransformKind::Add(a) => {
                    if catalog.model(&a.model).is_none() {
                        p(unknown_model(catalog, "model", &a.model));
                    }
                    if !catalog.known_regions().contains(&a.region.as_str()) {
                        p(unknown_region(catalog, &a.region));
                    }
                    if let Some(msg) = add::check_sizes(catalog, a) {
                        p(msg);
                    }
                }
                _ => {}
            }
        }
        if self.name.trim().is_empty() {
            problems.push(format!("{}: a scenario needs a name", self.origin));
        }
        if self.name == BASELINE {
            problems.push(format!(
                "{}: `{BASELINE}` names the untransformed log; pick another scenario name",
                self.origin
            ));
        }
        if self.transforms.is_empty() {
            problems.push(format!(
                "{}: scenario `{}` has no transforms",
                self.origin,
                self.name.escape_debug()
            ));
        }
        problems
    }
}

fn check_ranges(kind: &TransformKind, p: &mut impl FnMut(String)) {
    let finite_in = |v: f64, lo: f64, hi: f64| v.is_finite() && v >= lo && v <= hi;
    match kind {
        TransformKind::Scale { factor } => {
            if !(factor.is_finite() && *factor > 0.0 && *factor <= MAX_TRAFFIC_FACTOR) {
                p(format!(
                    "scale must be a factor above 0 and at most {MAX_TRAFFIC_FACTOR}, got {}",
                    shown(*factor)
                ));
            }
        }
        TransformKind::Growth {
            percent_per_month,
            months,
        } => {
            if !(percent_per_month.is_finite() && *percent_per_month > -100.0) {
                p(format!(
                    "growth pct_per_month must be above -100, got {percent_per_month}"
                ));
            } else if growth_factor(*percent_per_month, *months) > MAX_TRAFFIC_FACTOR {
                p(format!(
                    "growth of {percent_per_month}% per month for {months} months multiplies traffic by more than {MAX_TRAFFIC_FACTOR}"
                ));
            }
            if !(1..=MAX_HORIZON_MONTHS).contains(months) {
                p(format!(
                    "growth months must be between 1 and {MAX_HORIZON_MONTHS}, got {months}"
                ));
            }
        }
        TransformKind::Migrate(m) => {
            for (name, f) in [
                ("prompt_factor", m.prompt_factor),
                ("output_factor", m.output_factor),
                ("reasoning_factor", m.reasoning_factor),
            ] {
                if !finite_in(f, 0.0, 100.0) {
                    p(format!("migrate {name} must be between 0 and 100, got {f}"));
                }
            }
            if m.prompt_factor < MIN_PROMPT_FACTOR {
                p(format!(
                    "migrate prompt_factor must be at least {MIN_PROMPT_FACTOR} (a request keeps a prompt), got {}",
                    m.prompt_factor
                ));
            }
        }
        TransformKind::CacheRate { percent } | TransformKind::BatchShift { percent } => {
            if !finite_in(*percent, 0.0, 100.0) {
                p(format!(
                    "{} must be a percentage between 0 and 100, got {percent}",
                    kind.name()
                ));
            }
        }
        TransformKind::Reasoning { factor } => {
            if !finite_in(*factor, 0.0, 100.0) {
                p(format!(
                    "reasoning must be a factor between 0 and 100, got {factor}"
                ));
            }
        }
        TransformKind::Region { .. } => {}
        TransformKind::Add(a) => add::check_ranges(a, p),
    }
}

/// A number as given, in scientific notation when it is huge (`1e308`).
fn shown(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1e9 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}

fn unknown_model(catalog: &Catalog, what: &str, name: &str) -> String {
    let closest = catalog.closest_models(name, 1);
    format!(
        "{what}: unknown model `{}`{}",
        name.escape_debug(),
        closest
            .first()
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default()
    )
}

fn unknown_region(catalog: &Catalog, name: &str) -> String {
    let known = catalog.known_regions();
    let best = known
        .iter()
        .max_by(|a, b| strsim::jaro_winkler(name, a).total_cmp(&strsim::jaro_winkler(name, b)))
        .map(|b| format!(" (did you mean `{b}`?)"))
        .unwrap_or_default();
    format!("unknown region `{}`{best}", name.escape_debug())
}

/// Errors loading or checking scenarios. Every variant names the file (or flag) and line.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenarios {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML does not parse or does not fit the schema.
    #[error("{path}{location}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// `:line:column`, when known.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// Entries that parsed but are wrong, all at once.
    #[error("invalid scenarios:\n  - {}", problems.join("\n  - "))]
    Invalid {
        /// One line per problem, each starting with `file:line`.
        problems: Vec<String>,
    },
}

/// The smallest `prompt_factor` of a migration: a hundredth of the prompt. Tokenizers differ
/// by tens of percent; a smaller factor rounds prompts to nothing, which no request has.
pub const MIN_PROMPT_FACTOR: f64 = 0.01;

/// Check every scenario and that names are unique; all problems at once.
pub fn validate_all(scenarios: &[Scenario], catalog: &Catalog) -> Result<(), ScenarioError> {
    let mut problems = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        problems.extend(s.validate(catalog));
        if [FORECAST_SCENARIO, retire::RETIREMENT_SCENARIO]
            .iter()
            .any(|r| s.name.trim().eq_ignore_ascii_case(r))
        {
            problems.push(format!(
                "{}: scenario name `{}` is kept for the automatic scenario of that name; name yours otherwise",
                s.origin, s.name
            ));
        }
        if let Some(first) = scenarios[..i].iter().find(|o| o.name == s.name) {
            problems.push(format!(
                "{}: scenario name `{}` is already used at {}",
                s.origin,
                s.name.escape_debug(),
                first.origin
            ));
        }
    }
    // Two flags with one unknown model (`--migrate gpt-9=a --migrate gpt-9=b`) say it once.
    let mut seen = std::collections::BTreeSet::new();
    problems.retain(|p| seen.insert(p.clone()));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid { problems })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workload key (also for the tests of the submodules).
    pub(super) fn key(d: &str, m: &str, r: &str) -> WorkloadKey {
        WorkloadKey {
            deployment: d.into(),
            model: m.into(),
            region: r.into(),
        }
    }

    #[test]
    fn selectors_match_globs_on_each_part() {
        let s = Selector {
            deployment: Glob::parse("chat-*").expect("glob"),
            model: Glob::parse("gpt-4.?").expect("glob"),
            region: Glob::any(),
        };
        assert!(s.matches(&key("chat-prod", "gpt-4.1", "eastus2")));
        assert!(!s.matches(&key("rag", "gpt-4.1", "eastus2")));
        assert!(!s.matches(&key("chat-prod", "gpt-4.1-mini", "eastus2")));
        assert_eq!(s.describe(), "deployment chat-*, model gpt-4.?");
        assert!(Glob::parse("[").is_err());
    }

    #[test]
    fn describes_transforms_for_people() {
        let t = Transform::new(
            TransformKind::Growth {
                percent_per_month: 5.0,
                months: 12,
            },
            Selector::default(),
            "--growth",
        );
        assert_eq!(
            t.description,
            "traffic +5% per month for 12 months (x1.796 at the end)"
        );
        assert_eq!(fmt_factor(3.0), "3");
        assert_eq!(fmt_factor(0.3333), "0.333");
    }
}
