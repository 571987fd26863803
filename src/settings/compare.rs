//! `compare`, `report` and `regions` settings from their flags, and the checks of each group.

use super::*;

impl CompareSettings {
    /// How the readers read the inputs.
    pub fn read_options(&self) -> crate::usage::ReadOptions {
        crate::usage::ReadOptions {
            skip_invalid: self.skip_invalid,
            threads: self.threads,
            parallel_min_bytes: self.parallel_min_bytes,
            expand: self.expand,
            columns: self.columns.clone(),
            max_expanded_requests: self.max_expanded_requests,
        }
    }

    /// Resolve and check the flags.
    pub fn from_args(
        input: &InputArgs,
        catalog: &CatalogArgs,
        sim: &SimArgs,
        output: &OutputArgs,
        generated_at: Option<&str>,
    ) -> Result<CompareSettings> {
        let mut format = input.input_format;
        if input.columns.is_some() {
            match format {
                None | Some(InputFormat::Columns) => format = Some(InputFormat::Columns),
                Some(InputFormat::Csv | InputFormat::Jsonl | InputFormat::Aggregate) => {}
                Some(InputFormat::Parquet) => format = None,
                Some(f) => {
                    return Err(UsageError(format!(
                        "--columns maps a table of your own; it cannot be combined with --input-format {}",
                        f.name()
                    ))
                    .into())
                }
            }
        }
        let using_bundled_sample = input.logs.is_empty();
        let inputs = if using_bundled_sample {
            vec![InputSpec {
                source: BUNDLED_SAMPLE,
                format,
            }]
        } else {
            input
                .logs
                .iter()
                .map(|p| InputSpec {
                    source: InputSource::from_arg(p),
                    format,
                })
                .collect()
        };
        if inputs
            .iter()
            .filter(|i| i.source == InputSource::Stdin)
            .count()
            > 1
        {
            bail!("`-` (stdin) can be given only once");
        }
        Ok(CompareSettings {
            inputs,
            using_bundled_sample,
            sample_requested: input.sample,
            catalog: catalog.clone(),
            model_map: ensure_model_map(&input.model_map)?,
            default_region: input
                .region
                .as_ref()
                .map(|r| crate::usage::workload::arm_region_name(r.trim())),
            skip_invalid: input.skip_invalid,
            threads: match input.threads {
                Some(n) => usize::from(n),
                None => std::thread::available_parallelism()
                    .map_or(1, |n| n.get())
                    .min(4),
            },
            parallel_min_bytes: input.parallel_min_bytes,
            spool_chunk_events: input.spool_chunk_events as usize,
            expand: ExpandParams {
                seed: input.seed.unwrap_or(aggregate::DEFAULT_SEED),
                typical_request_tokens: input
                    .typical_request_tokens
                    .unwrap_or(aggregate::TYPICAL_REQUEST_TOKENS),
            },
            columns: input.columns.clone(),
            max_expanded_requests: input
                .max_expanded_requests
                .unwrap_or(crate::usage::ledger::MAX_EXPANDED_REQUESTS),
            max_workloads: input
                .max_workloads
                .unwrap_or(crate::usage::workload::MAX_WORKLOADS),
            sim: ensure_sim(sim)?,
            plan: ensure_plan(sim)?,
            format: output_format(output)?,
            out: output.out.clone(),
            quiet: output.quiet,
            timings: output.timings,
            generated_at: resolve_generated_at(generated_at)?,
            overrides: None,
            whatif: WhatIfSettings::default(),
            from_region: None,
            details: false,
        })
    }

    /// Add the what-if scenarios: `--scenarios FILE` and the one-scenario flags. A flag that
    /// only qualifies others (`--select`, `--migrate-factors`) without them is a usage error.
    pub fn with_scenarios(mut self, args: &crate::cli::ScenarioArgs) -> Result<CompareSettings> {
        let quick = QuickScenario {
            name: args.scenario_name.trim().to_owned(),
            scale: args.scale,
            growth_percent: args.growth,
            migrate: args.migrate.clone(),
            factors: args.migrate_factors.unwrap_or(crate::cli::MigrateFactors {
                prompt: 1.0,
                output: 1.0,
                reasoning: 1.0,
            }),
            cache_rate_percent: args.cache_rate,
            reasoning: args.reasoning,
            batch_shift_percent: args.batch_shift,
            move_region: args.move_region.clone(),
            select: args.select.clone().unwrap_or_default(),
        };
        let any = quick.scale.is_some()
            || quick.growth_percent.is_some()
            || !quick.migrate.is_empty()
            || quick.cache_rate_percent.is_some()
            || quick.reasoning.is_some()
            || quick.batch_shift_percent.is_some()
            || quick.move_region.is_some();
        if args.migrate_factors.is_some() && quick.migrate.is_empty() {
            return Err(UsageError(
                "--migrate-factors qualifies --migrate FROM=TO; pass --migrate too".to_owned(),
            )
            .into());
        }
        if args.select.is_some() && !any {
            return Err(UsageError(
                "--select names the workloads of --scale, --growth-pct, --migrate, --cache-rate-pct, --reasoning, --batch-shift-pct or --move-region; pass one of them".to_owned(),
            )
            .into());
        }
        if args.select.as_ref().is_some_and(|s| s.model.is_some()) && !quick.migrate.is_empty() {
            return Err(UsageError(
                "--migrate FROM=TO selects its model with FROM; drop model= from --select"
                    .to_owned(),
            )
            .into());
        }
        if quick.name.is_empty() || quick.name == crate::scenario::BASELINE {
            return Err(UsageError(format!(
                "--scenario-name `{}`: pick a non-empty name other than `{}`",
                quick.name,
                crate::scenario::BASELINE
            ))
            .into());
        }
        self.whatif = WhatIfSettings {
            file: args.scenarios.clone(),
            quick: any.then_some(quick),
            horizon_months: args
                .horizon_months
                .unwrap_or(crate::scenario::DEFAULT_HORIZON_MONTHS),
            forecast_ladder: args.horizon_months.is_some() && args.growth.is_none(),
            auto_scenarios: !args.no_auto_scenarios,
            focus_scenario: args.focus_scenario.clone(),
            ladder_points: args.ladder_points,
            max_traffic_factor: args.max_traffic_factor,
            max_scenario_requests: args.max_scenario_requests,
        };
        Ok(self)
    }

    /// Every file this run reads (logs, catalog files, `--prices`, `--overrides`,
    /// `--scenarios`, `--quota-file` and `baseline`), so that no output replaces one.
    pub fn input_files(&self, baseline: Option<&Path>) -> InputFiles {
        let mut files = InputFiles::new();
        for input in &self.inputs {
            if let InputSource::File(p) = &input.source {
                files.add(p);
            }
        }
        add_catalog_inputs(&mut files, &self.catalog);
        if let Some(o) = &self.overrides {
            files.add(&o.path);
        }
        if let Some(b) = baseline {
            files.add(b);
        }
        if let Some(s) = &self.whatif.file {
            files.add(s);
        }
        if let Some(q) = &self.plan.quota.file {
            files.add(q);
        }
        files
    }

    /// Add `--overrides` and `--residency`: the file is read and checked here (file and line in
    /// errors); its sales facts and the residency become plan constraints.
    pub fn with_planning(mut self, planning: &PlanningArgs) -> Result<CompareSettings> {
        self.overrides = planning
            .overrides
            .as_deref()
            .map(|p| {
                Overrides::load(p).with_context(|| format!("reading overrides {}", p.display()))
            })
            .transpose()?;
        self.plan.constraints.residency = planning.residency.clone();
        self.plan.constraints.served_by = ensure_served_by(&planning.served_by)?;
        self.plan.constraints.sales = self
            .overrides
            .as_ref()
            .map(|o| SalesFacts {
                availability: o.availability.clone(),
                capacity: o.capacity.clone(),
            })
            .unwrap_or_default();
        Ok(self)
    }
}

/// `--served-by` as settings: one TYPE for all at most, and a deployment named twice with two
/// types is a usage error (which would win is a silent choice).
pub(super) fn ensure_served_by(
    entries: &[(Option<String>, DeploymentTypeId)],
) -> Result<crate::plan::evidence::ServedBy> {
    let mut by = crate::plan::evidence::ServedBy::default();
    for (deployment, t) in entries {
        let (slot, what) = match deployment {
            Some(d) => (
                by.deployments.entry(d.clone()).or_insert(*t),
                format!("deployment `{}`", d.escape_debug()),
            ),
            None => (by.all.get_or_insert(*t), "every deployment".to_owned()),
        };
        if slot != t {
            return Err(UsageError(format!(
                "--served-by gives {what} two types, {slot} and {t}; keep one"
            ))
            .into());
        }
    }
    Ok(by)
}

/// `--model-map` as a map; a deployment mapped to two different models is a usage error
/// (which would win is a silent choice).
pub(super) fn ensure_model_map(entries: &[(String, String)]) -> Result<BTreeMap<String, String>> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (deployment, model) in entries {
        if let Some(first) = map.get(deployment).filter(|m| *m != model) {
            return Err(UsageError(format!(
                "--model-map maps deployment `{}` twice, to `{}` and to `{}`; keep one",
                deployment.escape_debug(),
                first.escape_debug(),
                model.escape_debug()
            ))
            .into());
        }
        map.insert(deployment.clone(), model.clone());
    }
    Ok(map)
}

pub(super) fn ensure_sim(sim: &SimArgs) -> Result<SimParams> {
    Ok(SimParams {
        bucket_window_s: sim.bucket_window_s,
        window_band_s: sim.window_band.0.clone(),
        missing_max_tokens: match sim.missing_max_tokens {
            MissingMaxArg::Actual => MissingMaxTokens::Actual,
            MissingMaxArg::Tokens(n) => MissingMaxTokens::Fixed(n),
        },
    })
}

pub(super) fn ensure_plan(sim: &SimArgs) -> Result<PlanSettings> {
    if !(sim.max_throttle_rate.is_finite() && (0.0..=100.0).contains(&sim.max_throttle_rate)) {
        bail!(
            "--max-throttle-pct is a percentage between 0 and 100, got {}",
            sim.max_throttle_rate
        );
    }
    if !(2..=64).contains(&sim.sweep_points) {
        bail!(
            "--sweep-points must be between 2 and 64, got {}",
            sim.sweep_points
        );
    }
    let on_throttle = match sim.on_throttle {
        OnThrottleArg::Default => ThrottlePolicy::Default,
        OnThrottleArg::Fail => ThrottlePolicy::Fail,
        OnThrottleArg::Spillover => ThrottlePolicy::Spillover,
        OnThrottleArg::Retry => ThrottlePolicy::Retry {
            max_retries: sim.max_retries,
        },
    };
    Ok(PlanSettings {
        on_throttle,
        max_throttle_rate: sim.max_throttle_rate / 100.0,
        max_spill_rate: sim.max_spill_rate.map(|p| p / 100.0),
        sweep_points: sim.sweep_points,
        size_other_types: false,
        batch_eligible: sim.batch_eligible,
        flex_eligible: sim.flex_eligible,
        reserve: match sim.reserve {
            ReserveArg::Deployed => ReservePolicy::Deployed,
            ReserveArg::Ptus(n) => ReservePolicy::Fixed(n),
        },
        reserve_term: match sim.reserve_term {
            ReserveTermArg::OneMonth => Billing::Reserved1Month,
            ReserveTermArg::OneYear => Billing::Reserved1Year,
        },
        constraints: Default::default(),
        quota: ensure_quota(sim)?,
        decision: crate::plan::DecisionRules {
            min_saving: sim.min_saving / 100.0,
            min_span_days: sim.min_span_days,
        },
        // Known once the log is read (`ops`).
        log_granularity: crate::usage::Granularity::Request,
    })
}

/// `--quota-tier`, `--quota-tpm`, `--quota-file`, `--standard-rpm-window-s` and
/// `--min-tokens-per-s`. A file's `tier:` and `--quota-tier` must agree; a model and type given
/// twice (by the flag and the file, or twice in one) is an error. Model names are checked
/// against the catalog by [`planning_catalog`].
pub(super) fn ensure_quota(sim: &SimArgs) -> Result<crate::plan::quota::QuotaSettings> {
    use crate::plan::quota::{NegotiatedQuota, QuotaSettings};
    let mut tier = sim.quota_tier;
    let mut negotiated: Vec<NegotiatedQuota> = sim
        .quota_tpm
        .iter()
        .map(|q| NegotiatedQuota {
            model: q.model.clone(),
            deployment_type: q.deployment_type,
            tpm: q.tpm,
            rpm: None,
            origin: "--quota-tpm".to_owned(),
        })
        .collect();
    if let Some(path) = &sim.quota_file {
        let text = crate::files::read_settings_text(path).map_err(|source| {
            crate::catalog::standard::QuotaFileError::Read {
                path: path.clone(),
                source,
            }
        })?;
        let (file, lines) = crate::catalog::standard::QuotaFile::parse(path, &text)?;
        match (tier, file.tier) {
            (Some(a), Some(b)) if a != b => bail!(
                "--quota-tier {} conflicts with `tier: {}` in {}; give one",
                a.as_str(),
                b.as_str(),
                path.display()
            ),
            (None, Some(b)) => tier = Some(b),
            _ => {}
        }
        for (q, line) in file.quotas.iter().zip(lines) {
            let origin = match &q.source {
                Some(s) => format!("{}:{line}, {s}", path.display()),
                None => format!("{}:{line}", path.display()),
            };
            negotiated.push(NegotiatedQuota {
                model: q.model.trim().to_owned(),
                deployment_type: q.deployment_type,
                tpm: q.tpm,
                rpm: q.rpm,
                origin,
            });
        }
    }
    for (i, a) in negotiated.iter().enumerate() {
        if let Some(b) = negotiated[..i].iter().find(|b| {
            b.model.eq_ignore_ascii_case(&a.model) && b.deployment_type == a.deployment_type
        }) {
            return Err(UsageError(format!(
                "quota for {}{} given twice ({} and {})",
                a.model,
                a.deployment_type
                    .map(|t| format!("/{t}"))
                    .unwrap_or_default(),
                b.origin,
                a.origin
            ))
            .into());
        }
    }
    Ok(QuotaSettings {
        tier,
        negotiated,
        rpm_window_s: sim.standard_rpm_window_s,
        min_tokens_per_s: sim.min_tokens_per_s,
        file: sim.quota_file.clone(),
    })
}

/// `--generated-at`, else `SOURCE_DATE_EPOCH` (Unix seconds), else none.
pub(super) fn resolve_generated_at(flag: Option<&str>) -> Result<Option<String>> {
    if let Some(text) = flag {
        let dt = chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|e| UsageError(format!("--generated-at `{text}` is not RFC 3339: {e}")))?;
        return Ok(Some(
            dt.to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ));
    }
    Ok(source_date_epoch()?.map(|dt| dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}

/// The output format: `--format`, else the one `--out`'s extension implies, else the table. A
/// `--format` that writes another kind of file than `--out`'s extension names (CSV into
/// `x.json`) is a usage error: one of the two is a mistake, and the file would be misread.
/// FOCUS is CSV, and the table and Markdown are both text.
fn output_format(output: &OutputArgs) -> Result<Format> {
    // Names that promise what no renderer writes: compressed, columnar, JSON Lines, HTML,
    // tab-separated or binary documents. (JSON is YAML: `--format json --out x.yaml` is fine.)
    const NOT_WRITTEN: [&str; 29] = [
        "gz", "zst", "zstd", "bz2", "xz", "zip", "tgz", "tbz2", "txz", "lz4", "br", "7z", "rar",
        "z", "lzma", "parquet", "jsonl", "xlsx", "ndjson", "html", "htm", "tsv", "arrow",
        "feather", "avro", "orc", "xml", "pdf", "xls",
    ];
    if let Some(out) = output.out.as_deref() {
        if let Some(ext) =
            crate::render::extension(out).filter(|e| NOT_WRITTEN.contains(&e.as_str()))
        {
            return Err(UsageError(format!(
                "--out {}: ptuplan writes the table, JSON, CSV, Markdown or FOCUS CSV, uncompressed; a `.{ext}` file would be misread (name it .txt, .json, .csv or .md)",
                out.display()
            ))
            .into());
        }
    }
    let implied = output.out.as_deref().and_then(Format::from_extension);
    let Some(format) = output.format else {
        // An extension no format owns would be a guess: say so rather than write the table.
        if let Some(out) = output.out.as_deref().filter(|_| implied.is_none()) {
            if let Some(ext) = crate::render::extension(out) {
                return Err(UsageError(format!(
                    "--out {}: no format is named `.{ext}`; pass --format (table, json, csv, markdown or focus), or name the file .txt, .json, .csv or .md",
                    out.display()
                ))
                .into());
            }
        }
        return Ok(implied.unwrap_or(Format::Table));
    };
    // FOCUS is CSV; Markdown is text. The terminal table is not Markdown.
    let compatible = |a: Format, b: Format| {
        a == b
            || matches!(
                (a, b),
                (Format::Focus, Format::Csv) | (Format::Markdown, Format::Table)
            )
    };
    match (implied, output.out.as_deref()) {
        (Some(implied), Some(out)) if !compatible(format, implied) => Err(UsageError(format!(
            "--out {} names a {} file, but --format {} writes {}: name the file for the format, or drop --format",
            out.display(),
            implied.name(),
            format.name(),
            format.name()
        ))
        .into()),
        _ => Ok(format),
    }
}
