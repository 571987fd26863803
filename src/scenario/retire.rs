//! The scenario offered automatically for retiring models: when a model of the log is retired
//! on the run's as-of date, or retires before the horizon ends, and its retirement schedule
//! names a replacement in the catalog, a scenario `retirement` migrates it there (factors 1),
//! so the report shows what the move would cost before it is forced. The dates and
//! replacements come from the catalog's lifecycle ([`crate::catalog::lifecycle`]).

use chrono::{Datelike, Months, NaiveDate};

use super::file::glob_literal;
use super::Glob;
use super::{
    Migration, Scenario, Selector, Transform, TransformKind, DEFAULT_JITTER_MS, DEFAULT_SEED,
};
use crate::catalog::Catalog;

/// The automatic scenario's name.
pub const RETIREMENT_SCENARIO: &str = "retirement";

/// The retirement scenario for the log's models (`models`: catalog ids), if one retires by the
/// horizon's end; and one note per retiring model (also for those without a usable
/// replacement, which get no migration).
pub fn retirement_scenario(
    catalog: &Catalog,
    models: &[String],
    as_of: NaiveDate,
    horizon_months: u32,
) -> (Option<Scenario>, Vec<String>) {
    // The horizon's months start on the first of the month after `as_of` (the projection's
    // month 1, when a reservation bought now starts), so that a retirement inside such a
    // reservation's term is always planned.
    let start = as_of
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .unwrap_or(as_of);
    let end = start
        .checked_add_months(Months::new(horizon_months))
        .unwrap_or(NaiveDate::MAX);
    let mut transforms = Vec::new();
    let mut notes = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for model in models {
        if seen.contains(&model.as_str()) {
            continue;
        }
        seen.push(model);
        let Some(status) = catalog.lifecycle_status(model) else {
            continue;
        };
        let Some(retirement) = status.retirement.filter(|r| *r <= end) else {
            continue;
        };
        let when = if retirement <= as_of {
            format!("retired on {retirement}")
        } else {
            format!("retires on {retirement}, within the {horizon_months}-month horizon")
        };
        let replacement = status
            .replacement
            .as_deref()
            .and_then(|r| catalog.resolve_model(r).map(str::to_owned));
        match (replacement, &status.replacement) {
            (Some(to), _) if to != *model => {
                notes.push(format!(
                    "{model} {when}; scenario `{RETIREMENT_SCENARIO}` migrates it to its named replacement {to} ({})",
                    status.schedule_phrase()
                ));
                let select = Selector {
                    model: Glob::parse(&glob_literal(model)).unwrap_or_else(|_| Glob::any()),
                    ..Selector::default()
                };
                transforms.push(Transform::new(
                    TransformKind::Migrate(Migration {
                        from: model.clone(),
                        to,
                        prompt_factor: 1.0,
                        output_factor: 1.0,
                        reasoning_factor: 1.0,
                    }),
                    select,
                    "automatic: retirement",
                ));
            }
            (Some(_), Some(named)) => notes.push(format!(
                "{model} {when}; its schedule names the model itself (`{named}`) as its replacement, so no migration scenario is offered"
            )),
            (None, Some(named)) => notes.push(format!(
                "{model} {when}; its named replacement `{named}` is not in the catalog, so no migration scenario is offered"
            )),
            (_, None) => notes.push(format!(
                "{model} {when}; no replacement is named, so no migration scenario is offered"
            )),
        }
    }
    let scenario = (!transforms.is_empty()).then(|| Scenario {
        name: RETIREMENT_SCENARIO.to_owned(),
        origin: "automatic: retirement".to_owned(),
        seed: DEFAULT_SEED,
        jitter_ms: DEFAULT_JITTER_MS,
        description: Some(
            "Every model of the log that is retired, or retires within the horizon, migrated to the replacement its retirement schedule names".to_owned(),
        ),
        transforms,
    });
    (scenario, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load_catalog, CatalogSource};

    #[test]
    fn issue_11_retiring_models_get_a_migration_scenario() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let c = load_catalog(&CatalogSource::Embedded)
            .expect("catalog")
            .in_force_on(date);
        // gpt-4o retires on 2027-04-14 per the schedule in force (replacement gpt-5.1).
        let (s, notes) = retirement_scenario(&c, &["gpt-4o".into(), "gpt-5.1".into()], date, 12);
        let s = s.expect("a scenario");
        assert_eq!(s.name, RETIREMENT_SCENARIO);
        assert_eq!(s.transforms.len(), 1, "{notes:?}");
        match &s.transforms[0].kind {
            TransformKind::Migrate(m) => {
                assert_eq!((m.from.as_str(), m.to.as_str()), ("gpt-4o", "gpt-5.1"))
            }
            other => panic!("{other:?}"),
        }
        assert!(
            notes[0].starts_with("gpt-4o retires on 2027-04-14"),
            "{notes:?}"
        );
        // A one-month horizon ends before that retirement: nothing offered.
        let (none, _) = retirement_scenario(&c, &["gpt-4o".into()], date, 1);
        assert!(none.is_none());
    }

    /// The horizon's months start with the month after the as-of date, as a reservation bought
    /// now does (tester36: a retirement 11.8 months into such a term got no scenario, so the
    /// decision counted the reserved PTUs idle after it): a 4-month horizon from 2026-12-10
    /// runs to 2027-05-01, not 2027-04-10, and covers gpt-4o's retirement on 2027-04-14.
    #[test]
    fn the_horizon_counts_from_the_first_month_of_a_term_bought_now() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 10).expect("date");
        let c = load_catalog(&CatalogSource::Embedded)
            .expect("catalog")
            .in_force_on(date);
        let (s, _) = retirement_scenario(&c, &["gpt-4o".into()], date, 4);
        assert!(
            s.is_some(),
            "2027-04-14 is inside months 1-4 from 2027-01-01"
        );
        let (none, _) = retirement_scenario(&c, &["gpt-4o".into()], date, 3);
        assert!(none.is_none(), "months 1-3 end on 2027-04-01");
    }
}
