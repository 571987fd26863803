//! A scenario compiled for one of the log's workloads: where its requests go (model and region
//! after `migrate` and `region`, the Batch share), how their tokens change (in the order the
//! transforms are listed), and the traffic factor per month. Compiled once per workload and
//! reading thread, then applied to each record in O(number of transforms), without allocating.
//!
//! Selectors name the log's workloads as logged: a transform listed after a `migrate` still
//! selects by the original model, so migrations do not chain.

use super::{draw, Scenario, TransformKind, BATCH_SUFFIX};
use crate::catalog::Catalog;
use crate::usage::{RequestLimits, UsageRecord, WorkloadKey};

/// A token change, in transform order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TokenOp {
    Migrate {
        prompt: f64,
        output: f64,
        reasoning: f64,
    },
    CacheRate {
        share: f64,
    },
    Reasoning {
        factor: f64,
    },
}

/// How a workload came to be in a scenario (JSON `scenarios[].origins[].how`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum OriginKind {
    /// A model change.
    Migrated,
    /// A region change.
    Moved,
    /// A model and a region change.
    MigratedAndMoved,
    /// Requests moved to Batch.
    BatchShift,
    /// A synthetic workload.
    Added,
}

/// One workload of the log as a scenario sees it.
#[derive(Debug, Clone)]
pub struct Route {
    /// The workload as logged.
    pub source: WorkloadKey,
    /// Where its real-time requests go.
    pub key: WorkloadKey,
    /// Where its Batch-shifted requests go.
    pub batch_key: WorkloadKey,
    /// The hash its records' draws start from.
    pub hash: u64,
    /// Product of the matching `scale` factors.
    pub static_factor: f64,
    /// Product of the matching growth multipliers per month (1.05 for +5%).
    pub growth_per_month: f64,
    /// Share of requests moved to Batch (0..=1).
    pub batch_share: f64,
    /// Request limits of the model the requests end up on.
    pub limits: RequestLimits,
    ops: [Option<TokenOp>; MAX_TOKEN_OPS],
    changes_model: bool,
}

/// Token transforms one scenario may apply to one workload.
pub const MAX_TOKEN_OPS: usize = 16;

/// What applying a route's token changes did to one record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// The completion grew past the request's `max_completion_tokens` and was capped there.
    pub capped: bool,
    /// The request no longer fits the model's limits: it fails (HTTP 400, not billed).
    pub over_limit: bool,
}

impl Route {
    /// Compile `scenario` for the log's workload `source`.
    pub fn compile(scenario: &Scenario, source: &WorkloadKey, catalog: &Catalog) -> Route {
        let mut key = source.clone();
        let mut ops = [None; MAX_TOKEN_OPS];
        let mut n_ops = 0;
        let mut push = |op: TokenOp| {
            if n_ops < MAX_TOKEN_OPS {
                ops[n_ops] = Some(op);
                n_ops += 1;
            }
        };
        let (mut static_factor, mut growth, mut stay_realtime) = (1.0, 1.0, 1.0);
        for t in &scenario.transforms {
            if !t.select.matches(source) {
                continue;
            }
            match &t.kind {
                TransformKind::Scale { factor } => static_factor *= factor,
                TransformKind::Growth {
                    percent_per_month, ..
                } => growth *= 1.0 + percent_per_month / 100.0,
                TransformKind::Migrate(m) => {
                    key.model = m.to.clone();
                    push(TokenOp::Migrate {
                        prompt: m.prompt_factor,
                        output: m.output_factor,
                        reasoning: m.reasoning_factor,
                    });
                }
                TransformKind::CacheRate { percent } => push(TokenOp::CacheRate {
                    share: percent / 100.0,
                }),
                TransformKind::Reasoning { factor } => push(TokenOp::Reasoning { factor: *factor }),
                TransformKind::BatchShift { percent } => stay_realtime *= 1.0 - percent / 100.0,
                TransformKind::Region { to } => key.region = to.clone(),
                TransformKind::Add(_) => {}
            }
        }
        let limits = RequestLimits::from_model(
            catalog
                .model(&key.model)
                .and_then(|spec| spec.limits.as_ref()),
        );
        Route {
            hash: draw::key_hash(scenario.seed, source),
            batch_key: WorkloadKey {
                deployment: format!("{}{BATCH_SUFFIX}", key.deployment),
                ..key.clone()
            },
            changes_model: key.model != source.model,
            key,
            source: source.clone(),
            static_factor,
            growth_per_month: growth,
            batch_share: 1.0 - stay_realtime,
            limits,
            ops,
        }
    }

    /// The traffic factor in month `month` of growth (0 = the log as is).
    pub fn factor(&self, month: u32) -> f64 {
        self.static_factor * self.growth_per_month.powi(month as i32)
    }

    /// Whether the route leaves the workload as logged: same name, tokens and traffic in
    /// every month, nothing moved to Batch.
    pub fn is_identity(&self) -> bool {
        self.static_factor == 1.0
            && self.growth_per_month == 1.0
            && self.batch_share == 0.0
            && self.ops[0].is_none()
            && self.key == self.source
    }

    /// Whether the route changes anything about a record's tokens or model.
    pub fn changes_tokens(&self) -> bool {
        self.ops[0].is_some() || self.changes_model
    }

    /// How the real-time workload differs from the source, if it does.
    pub fn origin(&self) -> Option<OriginKind> {
        let model = self.key.model != self.source.model;
        let region = self.key.region != self.source.region;
        match (model, region) {
            (true, true) => Some(OriginKind::MigratedAndMoved),
            (true, false) => Some(OriginKind::Migrated),
            (false, true) => Some(OriginKind::Moved),
            (false, false) => None,
        }
    }

    /// Apply the token changes to `r`, then the caps: a completion grown past the request's
    /// `max_completion_tokens` stops there (reasoning first, as a model that reasons longer
    /// runs out of budget), and a request that no longer fits its model fails with 400.
    pub fn apply_tokens(&self, r: &mut UsageRecord) -> Applied {
        if !self.changes_tokens() || !r.is_success() {
            return Applied::default();
        }
        let original_completion = r.completion_tokens;
        for op in self.ops.iter().map_while(|o| *o) {
            match op {
                TokenOp::Migrate {
                    prompt,
                    output,
                    reasoning,
                } => {
                    let visible = r.completion_tokens - r.reasoning_tokens;
                    r.prompt_tokens = times(r.prompt_tokens, prompt);
                    r.cached_tokens = times(r.cached_tokens, prompt).min(r.prompt_tokens);
                    r.cache_write_tokens =
                        times(r.cache_write_tokens, prompt).min(r.prompt_tokens - r.cached_tokens);
                    r.reasoning_tokens = times(r.reasoning_tokens, reasoning);
                    r.completion_tokens = times(visible, output).saturating_add(r.reasoning_tokens);
                }
                TokenOp::CacheRate { share } => {
                    r.cached_tokens =
                        times(r.prompt_tokens, share).min(r.prompt_tokens - r.cache_write_tokens);
                }
                TokenOp::Reasoning { factor } => {
                    let visible = r.completion_tokens - r.reasoning_tokens;
                    r.reasoning_tokens = times(r.reasoning_tokens, factor);
                    r.completion_tokens = visible.saturating_add(r.reasoning_tokens);
                }
            }
        }
        let mut applied = Applied::default();
        if let Some(max) = r.max_completion_tokens {
            if r.completion_tokens > max && r.completion_tokens > original_completion {
                r.completion_tokens = max.max(original_completion.min(r.completion_tokens));
                r.reasoning_tokens = r.reasoning_tokens.min(r.completion_tokens);
                applied.capped = true;
            }
        }
        if self.limits.is_exceeded(
            r.prompt_tokens,
            r.completion_tokens,
            r.max_completion_tokens,
        ) {
            r.status = Some(400);
            applied.over_limit = true;
        }
        applied
    }
}

/// `tokens x factor`, rounded to whole tokens (saturating).
fn times(tokens: u64, factor: f64) -> u64 {
    if factor == 1.0 {
        return tokens;
    }
    let v = (tokens as f64 * factor).round();
    if v >= u64::MAX as f64 {
        u64::MAX
    } else {
        v as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};
    use crate::scenario::{Migration, Selector, Transform};

    fn scenario(kinds: Vec<TransformKind>) -> Scenario {
        Scenario {
            name: "s".into(),
            origin: "test".into(),
            seed: 1,
            jitter_ms: 0,
            description: None,
            transforms: kinds
                .into_iter()
                .map(|k| Transform::new(k, Selector::default(), "test"))
                .collect(),
        }
    }

    fn key(model: &str) -> WorkloadKey {
        WorkloadKey {
            deployment: "chat".into(),
            model: model.into(),
            region: "eastus2".into(),
        }
    }

    fn record() -> UsageRecord {
        UsageRecord {
            timestamp_ms: 0,
            workload: 0,
            prompt_tokens: 1_000,
            cached_tokens: 200,
            cache_write_tokens: 0,
            completion_tokens: 500,
            reasoning_tokens: 300,
            max_completion_tokens: Some(800),
            status: None,
            latency_ms: None,
        }
    }

    #[test]
    fn migrates_with_factors_and_caps_at_max_completion_tokens() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let s = scenario(vec![TransformKind::Migrate(Migration {
            from: "gpt-4.1".into(),
            to: "gpt-5".into(),
            prompt_factor: 1.1,
            output_factor: 1.5,
            reasoning_factor: 1.0,
        })]);
        let route = Route::compile(&s, &key("gpt-4.1"), &c);
        assert_eq!(route.key.model, "gpt-5");
        assert_eq!(route.origin(), Some(OriginKind::Migrated));
        let mut r = record();
        assert_eq!(route.apply_tokens(&mut r), Applied::default());
        assert_eq!((r.prompt_tokens, r.cached_tokens), (1_100, 220));
        assert_eq!((r.completion_tokens, r.reasoning_tokens), (600, 300));
        // Reasoning x3 grows the completion past its cap of 800: capped there.
        let s = scenario(vec![TransformKind::Reasoning { factor: 3.0 }]);
        let route = Route::compile(&s, &key("gpt-4.1"), &c);
        let mut r = record();
        let applied = route.apply_tokens(&mut r);
        assert!(applied.capped && !applied.over_limit);
        assert_eq!((r.completion_tokens, r.reasoning_tokens), (800, 800));
        assert!(r.is_emptied_by_reasoning());
    }

    #[test]
    fn cache_rate_sets_the_cached_share_and_factors_multiply() {
        let c = load_catalog(&CatalogSource::Embedded).expect("catalog");
        let s = scenario(vec![
            TransformKind::CacheRate { percent: 60.0 },
            TransformKind::Scale { factor: 2.0 },
            TransformKind::Growth {
                percent_per_month: 10.0,
                months: 12,
            },
            TransformKind::BatchShift { percent: 25.0 },
        ]);
        let route = Route::compile(&s, &key("gpt-4.1"), &c);
        let mut r = record();
        route.apply_tokens(&mut r);
        assert_eq!(r.cached_tokens, 600);
        assert!((route.factor(2) - 2.0 * 1.21).abs() < 1e-12);
        assert!((route.batch_share - 0.25).abs() < 1e-12);
        assert_eq!(route.batch_key.deployment, "chat [batch]");
    }
}
