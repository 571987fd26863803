//! What a scenario's transforms select in the log, checked once the log's workloads are known
//! and before anything is simulated. Two kinds of silence are refused or named here:
//! - a workload that two `migrate` (or two `move_region`) transforms of one scenario select
//!   would take the later one's model (region) and both migrations' token factors, so the
//!   scenario is refused, naming both transforms;
//! - a transform that selects none of the log's workloads (a typo in a glob, a model the log
//!   does not run) changes nothing, which the report says in a warning.
//!
//! More than [`MAX_TOKEN_OPS`] token transforms on one workload are refused too: the route
//! keeps that many.

use std::collections::BTreeMap;

use super::route::MAX_TOKEN_OPS;
use super::{Scenario, Transform, TransformKind};
use crate::usage::WorkloadKey;

/// Whether a transform is of one kind.
type KindTest = fn(&TransformKind) -> bool;

/// What the check found: problems that refuse a scenario, and warnings for the report.
#[derive(Debug, Default, PartialEq)]
pub struct Coverage {
    /// One line per problem, each starting with where the scenario was given.
    pub problems: Vec<String>,
    /// One line per transform that selects no workload of the log.
    pub warnings: Vec<String>,
}

/// Check the user's `scenarios` (the automatic ones are built from the log and the catalog
/// and skipped) against the log's workloads `keys`.
pub fn check(scenarios: &[Scenario], keys: &[WorkloadKey]) -> Coverage {
    let mut found = Coverage::default();
    for s in scenarios
        .iter()
        .filter(|s| !s.origin.starts_with("automatic"))
    {
        for t in &s.transforms {
            if !matches!(t.kind, TransformKind::Add(_)) && !keys.iter().any(|k| t.select.matches(k))
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
        for key in keys {
            let selecting: Vec<(usize, &Transform)> = s
                .transforms
                .iter()
                .enumerate()
                .filter(|(_, t)| t.select.matches(key))
                .collect();
            let kinds: [(&str, KindTest); 2] = [
                ("migrated", |k| matches!(k, TransformKind::Migrate(_))),
                ("moved", |k| matches!(k, TransformKind::Region { .. })),
            ];
            for (what, is_kind) in kinds {
                let mut of_kind = selecting.iter().filter(|(_, t)| is_kind(&t.kind));
                if let (Some((first, _)), Some((second, _))) = (of_kind.next(), of_kind.next()) {
                    twice.entry((what, *first, *second)).or_default().push(key);
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
        let auto = scenario("automatic: retiring models", vec![scale]);
        assert_eq!(check(&[auto], &keys), Coverage::default());
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
