//! The catalog the flags point at: `--catalog`, `--as-of`, `--prices`, `--overrides`.

use super::*;

/// Load the catalog the flags point at, narrowed to the prices in force on the run's as-of
/// date ([`resolve_as_of`]), with the `--prices` file layered over it. An entry dated after
/// today (UTC) is an error; so is a date on which the catalog prices nothing.
pub fn catalog_from(args: &CatalogArgs) -> Result<Catalog> {
    let source = match &args.catalog {
        Some(dir) => CatalogSource::Dir(dir.clone()),
        None => CatalogSource::Embedded,
    };
    let catalog = load_catalog(&source).context("loading the catalog")?;
    let today = chrono::Utc::now().date_naive();
    let future = catalog.dated_after(today);
    if !future.is_empty() {
        bail!(
            "catalog {} has {} entr(ies) dated after today ({today}); fix the `as_of` dates:\n  - {}",
            catalog.origin,
            future.len(),
            future.join("\n  - ")
        );
    }
    let as_of = resolve_as_of(args.as_of)?;
    let mut catalog = catalog.in_force_on(as_of);
    if let Some(path) = &args.prices {
        let context = || format!("loading prices file {}", path.display());
        let (file, text) = load_prices_file(path).with_context(context)?;
        layer_prices(&mut catalog, path, &text, file).with_context(context)?;
    }
    let gaps = catalog.pricing_gaps(&format!(" in force on {as_of}"));
    if !gaps.is_empty() {
        bail!(
            "catalog {} cannot price anything on {as_of}:\n  - {}",
            catalog.origin,
            gaps.join("\n  - ")
        );
    }
    Ok(catalog)
}

/// The run's as-of date: `--as-of` (or `PTUPLAN_AS_OF`), else the date of
/// `SOURCE_DATE_EPOCH` (reproducible runs), else today in UTC.
pub fn resolve_as_of(flag: Option<chrono::NaiveDate>) -> Result<chrono::NaiveDate> {
    if let Some(d) = flag {
        return Ok(d);
    }
    today()
}

/// Today in UTC: the date of `SOURCE_DATE_EPOCH` where it is set (reproducible runs), else
/// the clock's.
pub fn today() -> Result<chrono::NaiveDate> {
    Ok(source_date_epoch()?
        .unwrap_or_else(chrono::Utc::now)
        .date_naive())
}

/// `SOURCE_DATE_EPOCH` (Unix seconds), if set.
pub(super) fn source_date_epoch() -> Result<Option<chrono::DateTime<chrono::Utc>>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            // A bad value is a usage error (exit 2), as a bad flag value is.
            let secs: i64 = v.trim().parse().map_err(|e| {
                UsageError(format!("SOURCE_DATE_EPOCH `{v}` is not Unix seconds: {e}"))
            })?;
            let dt = chrono::DateTime::from_timestamp(secs, 0)
                .ok_or_else(|| UsageError(format!("SOURCE_DATE_EPOCH `{v}` is out of range")))?;
            Ok(Some(dt))
        }
        _ => Ok(None),
    }
}

/// The catalog a planning run prices with: `base` with the `--overrides` discounts and quotes
/// applied, after checking `--residency` against it. Returns the applied overrides too.
pub fn planning_catalog(
    settings: &CompareSettings,
    base: &Catalog,
) -> Result<(Catalog, Vec<AppliedOverride>)> {
    let mut catalog = base.clone();
    if let Some(r) = &settings.plan.constraints.residency {
        r.ensure_known(&catalog).map_err(UsageError)?;
    }
    for q in &settings.plan.quota.negotiated {
        if catalog.resolve_model(&q.model).is_none() {
            let message = format!(
                "quota for unknown model `{}` ({}); closest: {}",
                q.model,
                q.origin,
                catalog.closest_models(&q.model, 3).join(", ")
            );
            // From the flag, a usage error (exit 2); from a quota file, bad input (exit 1).
            if q.origin.starts_with("--") {
                return Err(UsageError(message).into());
            }
            bail!(message);
        }
    }
    let applied = match &settings.overrides {
        Some(o) => o
            .apply(&mut catalog)
            .with_context(|| format!("applying overrides {}", o.path.display()))?,
        None => Vec::new(),
    };
    Ok((catalog, applied))
}

/// The catalog files the flags make a run read (`--catalog DIR`'s YAML files, `meters.yaml`,
/// `--prices`), added to `files`.
pub fn add_catalog_inputs(files: &mut InputFiles, args: &CatalogArgs) {
    if let Some(dir) = &args.catalog {
        for name in CATALOG_FILES.iter().chain(["meters.yaml"].iter()) {
            files.add(&dir.join(name));
        }
    }
    if let Some(p) = &args.prices {
        files.add(p);
    }
}
