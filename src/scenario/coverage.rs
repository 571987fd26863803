//! What a scenario's transforms select in the log, checked once the log's workloads are known
//! and before anything is simulated. Two kinds of silence are refused or named here:
//! - a workload (of the log, or added) that two `migrate` transforms of one scenario select
//!   would take the later one's model and both migrations' token factors, and one that two
//!   `move_region` transforms to different regions select would take the later region, so
//!   the scenario is refused, naming both transforms;
//! - a transform that selects none of the log's workloads (a typo in a glob, a model the log
//!   does not run) changes nothing, which the report says in a warning.
//!
//! More than [`MAX_TOKEN_OPS`] token transforms on one workload are refused too: the route
//! keeps that many.

use std::collections::BTreeMap;

use super::add::added_keys;
use super::retire::RETIREMENT_SCENARIO;
use super::route::MAX_TOKEN_OPS;
use super::{Scenario, Transform, TransformKind, FORECAST_SCENARIO};
use crate::usage::WorkloadKey;

/// What the check found: problems that refuse a scenario, and warnings for the report.
#[derive(Debug, Default, PartialEq)]
pub struct Coverage {
    /// One line per problem, each starting with where the scenario was given.
    pub problems: Vec<String>,
    /// One line per transform that selects no workload of the log.
    pub warnings: Vec<String>,
}

/// Check the user's `scenarios` against the log's workloads `keys` and each scenario's added
/// ones. The automatic scenarios (their names are kept from the user's) are built from the
/// log and the catalog and skipped. Workloads are named in key order, whatever the order the
/// reading threads met them in.
pub fn check(scenarios: &[Scenario], keys: &[WorkloadKey]) -> Coverage {
    let mut found = Coverage::default();
    let automatic =
        |s: &Scenario| [FORECAST_SCENARIO, RETIREMENT_SCENARIO].contains(&s.name.as_str());
    for s in scenarios.iter().filter(|s| !automatic(s)) {
        let mut workloads: Vec<WorkloadKey> = keys.to_vec();
        workloads.extend(added_keys(s));
        workloads.sort();
        workloads.dedup();
        for t in &s.transforms {
            if !matches!(t.kind, TransformKind::Add(_))
                && !workloads.iter().any(|k| t.select.matches(k))
            {
                found.warnings.push(format!(
                    "scenario `{}`: {} ({}) selects no workload of the log, so it changes nothing",
                    s.name.escape_debug(),
                    t.at,
                    t.description
                ));
            }
        }
        // (what, first transform, second transform) -> the workloads both select.
        let mut twice: BTreeMap<(&str, usize, usize), Vec<&WorkloadKey>> = BTreeMap::new();
        let mut overfull: Vec<(&WorkloadKey, usize)> = Vec::new();
        for key in &workloads {
            let selecting: Vec<(usize, &Transform)> = s
                .transforms
                .iter()
                .enumerate()
                .filter(|(_, t)| t.select.matches(key))
                .collect();
            // Two migrations apply both token factors, so any two conflict; two moves
            // conflict when they name different regions.
            let migrations: Vec<usize> = selecting
                .iter()
                .filter(|(_, t)| matches!(t.kind, TransformKind::Migrate(_)))
                .map(|(i, _)| *i)
                .collect();
            if let [first, second, ..] = migrations[..] {
                twice
                    .entry(("migrated", first, second))
                    .or_default()
                    .push(key);
            }
            let moves: Vec<(usize, &str)> = selecting
                .iter()
                .filter_map(|(i, t)| match &t.kind {
                    TransformKind::Region { to } => Some((*i, to.as_str())),
                    _ => None,
                })
                .collect();
            if let Some(&(first, to)) = moves.first() {
                if let Some(&(second, _)) = moves.iter().find(|(_, other)| *other != to) {
                    twice.entry(("moved", first, second)).or_default().push(key);
                }
            }
            let token_ops = selecting
                .iter()
                .filter(|(_, t)| {
                    matches!(
                        t.kind,
                        TransformKind::Migrate(_)
                            | TransformKind::CacheRate { .. }
                            | TransformKind::Reasoning { .. }
                    )
                })
                .count();
            if token_ops > MAX_TOKEN_OPS {
                overfull.push((key, token_ops));
            }
        }
        let name = s.name.escape_debug();
        for ((what, first, second), workloads) in twice {
            let (first, second) = (&s.transforms[first], &s.transforms[second]);
            found.problems.push(format!(
                "{}: scenario `{name}`: {} {what} twice, by {} ({}) and by {} ({}); a workload takes one such transform in a scenario: narrow the selections, or split them into scenarios",
                s.origin,
                some_workloads(&workloads),
                first.at,
                first.description,
                second.at,
                second.description
            ));
        }
        if let Some(most) = overfull.iter().map(|(_, n)| *n).max() {
            let workloads: Vec<&WorkloadKey> = overfull.iter().map(|(k, _)| *k).collect();
            found.problems.push(format!(
                "{}: scenario `{name}`: {} selected by up to {most} token transforms (migrate, cache_rate_pct, reasoning); at most {MAX_TOKEN_OPS} apply to a workload",
                s.origin,
                some_workloads(&workloads),
            ));
        }
    }
    found
}

/// "workload a (gpt-4o, eastus2) is", or "workloads a (...), b (...) and 3 more are".
fn some_workloads(workloads: &[&WorkloadKey]) -> String {
    const SHOWN: usize = 3;
    let named: Vec<String> = workloads
        .iter()
        .take(SHOWN)
        .map(|k| {
            format!(
                "{} ({}, {})",
                k.deployment.escape_debug(),
                k.model,
                k.region
            )
        })
        .collect();
    match workloads.len() {
        1 => format!("workload {} is", named[0]),
        n if n <= SHOWN => format!("workloads {} are", named.join(", ")),
        n => format!("workloads {} and {} more are", named.join(", "), n - SHOWN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::tests::key;
    use crate::scenario::{Glob, Migration, Selector};

    fn on_model(model: &str) -> Selector {
        Selector {
            deployment: Glob::any(),
            model: Glob::parse(model).expect("glob"),
            region: Glob::any(),
        }
    }

    fn migrate(from: &str, to: &str, at: &str) -> Transform {
        Transform::new(
            TransformKind::Migrate(Migration {
                from: from.into(),
                to: to.into(),
                prompt_factor: 1.0,
                output_factor: 1.0,
                reasoning_factor: 1.0,
            }),
            on_model(from),
            at,
        )
    }

    fn scenario(origin: &str, transforms: Vec<Transform>) -> Scenario {
        Scenario {
            name: "what-if".into(),
            origin: origin.into(),
            seed: 1,
            jitter_ms: 0,
            description: None,
            transforms,
        }
    }

    #[test]
    fn a_workload_migrated_twice_is_refused_naming_both_transforms() {
        let s = scenario(
            "command line",
            vec![
                migrate("gpt-4o", "gpt-5.1", "--migrate"),
                migrate("gpt-4o", "gpt-5.4-mini", "--migrate"),
            ],
        );
        let keys = [
            key("chat", "gpt-4o", "eastus2"),
            key("rag", "gpt-5.1", "eastus2"),
        ];
        let c = check(&[s], &keys);
        assert_eq!(c.problems.len(), 1, "{c:?}");
        let p = &c.problems[0];
        assert!(p.starts_with("command line: scenario `what-if`: workload chat (gpt-4o, eastus2) is migrated twice"), "{p}");
        assert!(
            p.contains("migrate gpt-4o to gpt-5.1") && p.contains("migrate gpt-4o to gpt-5.4-mini"),
            "{p}"
        );
        assert!(c.warnings.is_empty(), "{c:?}");
    }

    #[test]
    fn two_moves_of_one_workload_are_refused_but_moves_of_different_workloads_are_not() {
        let mv = |model: &str, to: &str, at: &str| {
            Transform::new(TransformKind::Region { to: to.into() }, on_model(model), at)
        };
        let keys = [
            key("a", "gpt-4o", "eastus2"),
            key("b", "gpt-5.1", "eastus2"),
        ];
        let apart = scenario(
            "s.yaml:1",
            vec![
                mv("gpt-4o", "westus3", "s.yaml:3"),
                mv("gpt-5.1", "swedencentral", "s.yaml:6"),
            ],
        );
        assert_eq!(check(&[apart], &keys), Coverage::default());
        let overlapping = scenario(
            "s.yaml:1",
            vec![
                mv("gpt-*", "westus3", "s.yaml:3"),
                mv("gpt-5.1", "swedencentral", "s.yaml:6"),
            ],
        );
        let c = check(&[overlapping], &keys);
        assert_eq!(c.problems.len(), 1, "{c:?}");
        assert!(
            c.problems[0].contains("workload b (gpt-5.1, eastus2) is moved twice, by s.yaml:3"),
            "{c:?}"
        );
    }

    #[test]
    fn a_transform_that_selects_nothing_is_named_and_automatic_scenarios_are_skipped() {
        let scale = Transform::new(
            TransformKind::Scale { factor: 2.0 },
            on_model("gpt4o"),
            "--scale",
        );
        let keys = [key("chat", "gpt-4o", "eastus2")];
        let c = check(&[scenario("command line", vec![scale.clone()])], &keys);
        assert!(c.problems.is_empty());
        assert_eq!(
            c.warnings,
            ["scenario `what-if`: --scale (traffic x2 (model gpt4o)) selects no workload of the log, so it changes nothing"]
        );
        let mut auto = scenario("automatic: retiring models", vec![scale.clone()]);
        auto.name = RETIREMENT_SCENARIO.into();
        assert_eq!(check(&[auto], &keys), Coverage::default());
        // A file whose name starts with "automatic" is checked like any other.
        let file = scenario("automatic-plans.yaml:1", vec![scale]);
        assert_eq!(check(&[file], &keys).warnings.len(), 1);
    }

    #[test]
    fn added_workloads_are_checked_and_moves_to_one_region_agree() {
        use crate::scenario::AddedWorkload;
        let add = Transform::new(
            TransformKind::Add(AddedWorkload {
                deployment: "bot".into(),
                model: "gpt-4o".into(),
                region: "eastus2".into(),
                requests_per_day: 10.0,
                prompt_tokens: 100,
                completion_tokens: 10,
                reasoning_tokens: 0,
                cached_percent: 0.0,
                max_completion_tokens: None,
            }),
            Selector {
                deployment: Glob::any(),
                model: Glob::any(),
                region: Glob::any(),
            },
            "s.yaml:3",
        );
        let on_bot = Selector {
            deployment: Glob::parse("bot").expect("glob"),
            model: Glob::any(),
            region: Glob::any(),
        };
        let migrate_bot = |to: &str, at: &str| Transform {
            select: on_bot.clone(),
            ..migrate("gpt-4o", to, at)
        };
        let keys = [key("chat", "gpt-5.1", "eastus2")];
        let s = scenario(
            "s.yaml:1",
            vec![
                add,
                migrate_bot("gpt-5.1", "s.yaml:5"),
                migrate_bot("gpt-5.4-mini", "s.yaml:7"),
            ],
        );
        let c = check(&[s], &keys);
        assert!(
            c.warnings.is_empty(),
            "the migrations select the added bot: {c:?}"
        );
        assert_eq!(c.problems.len(), 1, "{c:?}");
        assert!(
            c.problems[0].contains("workload bot (gpt-4o, eastus2) is migrated twice"),
            "{c:?}"
        );
        let mv = |to: &str, at: &str| {
            Transform::new(TransformKind::Region { to: to.into() }, on_model("*"), at)
        };
        let same = scenario(
            "s.yaml:1",
            vec![mv("westus3", "s.yaml:3"), mv("westus3", "s.yaml:5")],
        );
        assert_eq!(check(&[same], &keys), Coverage::default());
    }

    #[test]
    fn the_workloads_named_are_in_key_order() {
        let mv = |to: &str, at: &str| {
            Transform::new(TransformKind::Region { to: to.into() }, on_model("*"), at)
        };
        let s = scenario(
            "s.yaml:1",
            vec![mv("westus3", "s.yaml:3"), mv("swedencentral", "s.yaml:5")],
        );
        let keys = [
            key("d", "m", "r"),
            key("b", "m", "r"),
            key("a", "m", "r"),
            key("c", "m", "r"),
        ];
        let c = check(&[s], &keys);
        assert!(
            c.problems[0]
                .contains("workloads a (m, r), b (m, r), c (m, r) and 1 more are moved twice"),
            "{c:?}"
        );
    }

    #[test]
    fn more_token_transforms_than_a_route_keeps_are_refused() {
        let reasoning = |i: usize| {
            Transform::new(
                TransformKind::Reasoning { factor: 1.01 },
                on_model("*"),
                format!("s.yaml:{i}"),
            )
        };
        let keys = [key("chat", "gpt-4o", "eastus2")];
        let fits = scenario("s.yaml:1", (0..MAX_TOKEN_OPS).map(reasoning).collect());
        assert_eq!(check(&[fits], &keys), Coverage::default());
        let over = scenario("s.yaml:1", (0..=MAX_TOKEN_OPS).map(reasoning).collect());
        let c = check(&[over], &keys);
        assert_eq!(c.problems.len(), 1, "{c:?}");
        assert!(
            c.problems[0].contains(
                "workload chat (gpt-4o, eastus2) is selected by up to 17 token transforms"
            ),
            "{c:?}"
        );
    }
}
