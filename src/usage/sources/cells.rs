//! One cell of a table row, and the field parsers every source uses on it: token counts
//! (`18342` or, as metric exports write them, `18342.0`), timestamps (the one grammar of
//! [`crate::usage::timestamps`]), HTTP statuses, text,
//! and JSON held in a cell (LiteLLM's `metadata`, Langfuse's `usageDetails` in a CSV).

use std::borrow::Cow;

use serde_json::Value;

use crate::usage::fields::{lossy, parse_count, parse_status};
use crate::usage::json_value::{is_over_budget, over_budget_message, parse_bounded};
use crate::usage::timestamps::parse_timestamp_ms;
use crate::usage::FieldProblem;

/// A cell: absent (no such column, or empty), raw text (CSV), or a JSON value (JSON, Parquet).
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// No value.
    Absent,
    /// Text as read from a CSV file.
    Bytes(&'a [u8]),
    /// A JSON value (JSON rows, Parquet).
    Json(&'a Value),
}

impl<'a> Cell<'a> {
    /// True when there is no value: no column, an empty cell, or JSON `null`/`""`.
    pub fn is_absent(&self) -> bool {
        match self {
            Cell::Absent => true,
            Cell::Bytes(b) => b.trim_ascii().is_empty(),
            Cell::Json(Value::Null) => true,
            Cell::Json(Value::String(s)) => s.trim().is_empty(),
            Cell::Json(_) => false,
        }
    }

    /// The cell as text (numbers and booleans in JSON form); `None` when absent.
    pub fn text(&self, field: &'static str) -> Result<Option<Cow<'a, str>>, FieldProblem> {
        if self.is_absent() {
            return Ok(None);
        }
        match *self {
            Cell::Absent => Ok(None),
            Cell::Bytes(b) => std::str::from_utf8(b.trim_ascii())
                .map(|s| Some(Cow::Borrowed(s)))
                .map_err(|_| FieldProblem::new(field, "not valid UTF-8")),
            Cell::Json(Value::String(s)) => Ok(Some(Cow::Borrowed(s.trim()))),
            Cell::Json(v @ (Value::Number(_) | Value::Bool(_))) => {
                Ok(Some(Cow::Owned(v.to_string())))
            }
            Cell::Json(_) => Err(FieldProblem::new(
                field,
                "expected text, found a JSON object or array",
            )),
        }
    }

    /// A non-negative whole number (a token or request count); `None` when absent.
    pub fn count(&self, field: &'static str) -> Result<Option<u64>, FieldProblem> {
        if self.is_absent() {
            return Ok(None);
        }
        match *self {
            Cell::Json(Value::Number(n)) => number_to_count(n, field).map(Some),
            Cell::Json(Value::Bool(_))
            | Cell::Json(Value::Array(_))
            | Cell::Json(Value::Object(_)) => Err(FieldProblem::new(field, "expected a count")),
            _ => {
                let text = self.text(field)?.unwrap_or_default();
                text_to_count(text.as_bytes(), field).map(Some)
            }
        }
    }

    /// A finite number; `None` when absent.
    pub fn number(&self, field: &'static str) -> Result<Option<f64>, FieldProblem> {
        if self.is_absent() {
            return Ok(None);
        }
        if let Cell::Json(Value::Number(n)) = self {
            return n
                .as_f64()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| FieldProblem::new(field, format!("`{n}` is not a number")));
        }
        let text = self.text(field)?.unwrap_or_default();
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| {
                FieldProblem::new(
                    field,
                    format!("`{}` is not a number", lossy(text.as_bytes())),
                )
            })
    }

    /// A timestamp in ms since the epoch; `None` when absent.
    pub fn timestamp_ms(&self, field: &'static str) -> Result<Option<i64>, FieldProblem> {
        if self.is_absent() {
            return Ok(None);
        }
        if let Cell::Json(Value::Number(n)) = self {
            let secs = n
                .as_f64()
                .ok_or_else(|| FieldProblem::new(field, format!("`{n}` is not a time")))?;
            return crate::usage::timestamps::unix_time_to_ms(secs)
                .map(Some)
                .map_err(|m| FieldProblem::new(field, m));
        }
        let text = self.text(field)?.unwrap_or_default();
        parse_timestamp_ms(text.as_bytes())
            .map(Some)
            .map_err(|m| FieldProblem::new(field, m))
    }

    /// An HTTP status (numbers, or success/failure words); `None` when absent.
    pub fn status(&self, field: &'static str) -> Result<Option<u16>, FieldProblem> {
        let Some(text) = self.text(field)? else {
            return Ok(None);
        };
        let t = text.trim();
        let word = t.to_ascii_lowercase();
        match word.as_str() {
            "success" | "succeeded" | "ok" | "completed" | "incomplete" | "true" => {
                return Ok(Some(200))
            }
            "failure" | "failed" | "error" => return Ok(Some(500)),
            "cancelled" | "canceled" => return Ok(Some(499)),
            _ => {}
        }
        let digits = t.strip_suffix(".0").unwrap_or(t);
        parse_status(digits.as_bytes())
            .map(Some)
            .map_err(|m| FieldProblem::new(field, m))
    }

    /// A JSON value held in the cell: a JSON object as is, or text parsed as JSON (CSV
    /// exports hold JSON columns as quoted text). `None` when absent.
    pub fn json(&self, field: &'static str) -> Result<Option<Cow<'a, Value>>, FieldProblem> {
        if self.is_absent() {
            return Ok(None);
        }
        match *self {
            Cell::Json(v @ (Value::Object(_) | Value::Array(_))) => Ok(Some(Cow::Borrowed(v))),
            _ => {
                let text = self.text(field)?.unwrap_or_default();
                parse_bounded(text.as_bytes())
                    .map(|v| Some(Cow::Owned(v)))
                    .map_err(|e| match is_over_budget(&e) {
                        true => FieldProblem::new(field, over_budget_message()),
                        false => FieldProblem::new(field, format!("not valid JSON: {e}")),
                    })
            }
        }
    }
}

/// A count from a JSON number: whole and non-negative (`12.0` is accepted).
pub fn number_to_count(n: &serde_json::Number, field: &'static str) -> Result<u64, FieldProblem> {
    if let Some(v) = n.as_u64() {
        return Ok(v);
    }
    match n.as_f64() {
        Some(f) if f < 0.0 => Err(FieldProblem::new(
            field,
            format!("`{n}` is negative; counts are >= 0"),
        )),
        Some(f) if f.fract() == 0.0 && f < 1.8e19 => Ok(f as u64),
        Some(f) if f.fract() == 0.0 => {
            Err(FieldProblem::new(field, format!("`{n}` overflows a count")))
        }
        _ => Err(FieldProblem::new(
            field,
            format!("`{n}` is not a whole number"),
        )),
    }
}

/// A count from text: digits, or a whole number written with `.0` (metric totals).
pub fn text_to_count(text: &[u8], field: &'static str) -> Result<u64, FieldProblem> {
    let t = text.trim_ascii();
    let digits = match t.iter().position(|&b| b == b'.') {
        Some(dot) if t[dot + 1..].iter().all(|&b| b == b'0') && dot > 0 => &t[..dot],
        _ => t,
    };
    parse_count(digits).map_err(|m| FieldProblem::new(field, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_whole_floats_only() {
        assert_eq!(Cell::Bytes(b"18342.0").count("t").expect("ok"), Some(18342));
        assert!(Cell::Bytes(b"1.5").count("t").is_err());
        let v = serde_json::json!(46.0);
        assert_eq!(Cell::Json(&v).count("t").expect("ok"), Some(46));
        let v = serde_json::json!(-1);
        assert!(Cell::Json(&v).count("t").is_err());
        assert_eq!(Cell::Bytes(b"  ").count("t").expect("ok"), None);
    }
}
