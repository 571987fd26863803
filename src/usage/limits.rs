//! Request-size limits: the check that catches aggregates fed as requests.
//!
//! A single request cannot carry more prompt tokens than its model's largest input, more
//! completion tokens than its largest output, or more of both than its context window (catalog
//! `limits`, each with its source). A per-minute or per-hour total written as one CSV row
//! breaks those limits at once (the Azure Monitor minute of 1.7M tokens, say); the error names
//! the aggregate formats to read it with. Models without catalog limits keep the generic bound
//! [`MAX_TOKENS_PER_REQUEST`]. Every reader applies this check to every request it builds.

use super::{FieldProblem, MAX_TOKENS_PER_REQUEST};
use crate::catalog::capacity::ModelLimits;

/// What a single request of one workload's model may carry, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Largest prompt (cached included).
    pub max_prompt_tokens: u64,
    /// Largest completion (reasoning included), also the largest `max_completion_tokens`.
    pub max_completion_tokens: u64,
    /// Largest prompt plus completion.
    pub context_window_tokens: u64,
    /// True when the figures come from the catalog's `limits` (else the generic bound).
    pub from_catalog: bool,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_prompt_tokens: MAX_TOKENS_PER_REQUEST,
            max_completion_tokens: MAX_TOKENS_PER_REQUEST,
            context_window_tokens: u64::MAX,
            from_catalog: false,
        }
    }
}

/// The aggregate inputs a too-large "request" should be read as (named in the error).
pub const AGGREGATE_HINT: &str = "this row looks like a total over many requests (a per-minute metric, say), not one request: \
     write totals in the per-bucket aggregate format (columns bucket_start,bucket,requests,prompt_tokens,completion_tokens,...; \
     --input-format aggregate), or read Azure Monitor metrics as exported (--input-format azure-monitor)";

impl RequestLimits {
    /// The limits of a model: its catalog figures where given, the generic bound elsewhere.
    pub fn from_model(limits: Option<&ModelLimits>) -> RequestLimits {
        let generic = RequestLimits::default();
        let Some(l) = limits else {
            return generic;
        };
        let any = l.max_input_tokens.is_some()
            || l.max_output_tokens.is_some()
            || l.context_window_tokens.is_some();
        RequestLimits {
            max_prompt_tokens: l
                .max_input_tokens
                .map_or(generic.max_prompt_tokens, |v| v.min(MAX_TOKENS_PER_REQUEST)),
            max_completion_tokens: l
                .max_output_tokens
                .map_or(generic.max_completion_tokens, |v| {
                    v.min(MAX_TOKENS_PER_REQUEST)
                }),
            context_window_tokens: l.context_window_tokens.unwrap_or(u64::MAX),
            from_catalog: any,
        }
    }

    /// True when a request of these sizes breaks a limit (the cheap test before [`check`]
    /// builds a message).
    ///
    /// [`check`]: RequestLimits::check
    pub fn is_exceeded(
        &self,
        prompt_tokens: u64,
        completion_tokens: u64,
        max_completion_tokens: Option<u64>,
    ) -> bool {
        prompt_tokens > self.max_prompt_tokens
            || completion_tokens > self.max_completion_tokens
            || prompt_tokens.saturating_add(completion_tokens) > self.context_window_tokens
            || max_completion_tokens.is_some_and(|m| m > self.max_completion_tokens)
    }

    /// Check one request's sizes; `model` names the model in the message.
    pub fn check(
        &self,
        model: &str,
        prompt_tokens: u64,
        completion_tokens: u64,
        max_completion_tokens: Option<u64>,
    ) -> Result<(), FieldProblem> {
        let breach = |field: &'static str, what: String| {
            let message = if self.from_catalog {
                format!("{what} (catalog `limits` of {model}); {AGGREGATE_HINT}")
            } else {
                format!("{what}: implausible for one request; {AGGREGATE_HINT}")
            };
            Err(FieldProblem::new(field, message))
        };
        if prompt_tokens > self.max_prompt_tokens {
            return breach(
                "prompt_tokens",
                format!(
                    "{prompt_tokens} prompt tokens exceed the largest prompt of {} tokens",
                    self.max_prompt_tokens
                ),
            );
        }
        if completion_tokens > self.max_completion_tokens {
            return breach(
                "completion_tokens",
                format!(
                    "{completion_tokens} completion tokens exceed the largest completion of {} tokens",
                    self.max_completion_tokens
                ),
            );
        }
        if prompt_tokens.saturating_add(completion_tokens) > self.context_window_tokens {
            return breach(
                "prompt_tokens",
                format!(
                    "{prompt_tokens} prompt + {completion_tokens} completion tokens exceed the context window of {} tokens",
                    self.context_window_tokens
                ),
            );
        }
        if let Some(max) = max_completion_tokens {
            if max > self.max_completion_tokens {
                return breach(
                    "max_completion_tokens",
                    format!(
                        "max_completion_tokens {max} exceeds the largest completion of {} tokens",
                        self.max_completion_tokens
                    ),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpt5() -> ModelLimits {
        ModelLimits {
            context_window_tokens: Some(400_000),
            max_input_tokens: Some(272_000),
            max_output_tokens: Some(128_000),
            note: None,
            source: "test".into(),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 14).expect("date"),
        }
    }

    #[test]
    fn rejects_requests_over_the_model_limits() {
        let l = RequestLimits::from_model(Some(&gpt5()));
        assert!(l.check("gpt-5", 272_000, 128_000, Some(128_000)).is_ok());
        let e = l.check("gpt-5", 272_001, 0, None).unwrap_err();
        assert_eq!(e.field, "prompt_tokens");
        assert!(e.message.contains("gpt-5") && e.message.contains("--input-format aggregate"));
        assert_eq!(
            l.check("gpt-5", 0, 128_001, None).unwrap_err().field,
            "completion_tokens"
        );
        assert_eq!(
            l.check("gpt-5", 1, 1, Some(200_000)).unwrap_err().field,
            "max_completion_tokens"
        );
    }

    #[test]
    fn context_window_bounds_the_sum() {
        let mut limits = gpt5();
        limits.max_input_tokens = Some(300_000);
        let l = RequestLimits::from_model(Some(&limits));
        let e = l.check("gpt-5", 300_000, 100_001, None).unwrap_err();
        assert!(e.message.contains("context window of 400000"));
    }

    #[test]
    fn models_without_limits_keep_the_generic_bound() {
        let l = RequestLimits::from_model(None);
        assert!(!l.from_catalog);
        assert!(l.check("gpt-4o", 1_700_000, 10, None).is_ok());
        assert!(l
            .check("gpt-4o", MAX_TOKENS_PER_REQUEST + 1, 0, None)
            .is_err());
    }
}
