//! JSON text read into a [`serde_json::Value`] within a memory budget.
//!
//! A row may be 16 MiB of text ([`MAX_LINE_BYTES`](crate::usage::lines::MAX_LINE_BYTES)), but
//! a tree of values can take far more memory than its text: `{"a":0}` is 7 bytes of text and
//! about 700 bytes of map, so a 16 MiB row of small objects took 1.4 GB when read whole.
//! [`parse_bounded`] builds the same `Value` as `serde_json::from_slice` while it charges an
//! estimate of each value's memory against [`VALUE_BUDGET_BYTES`], and refuses the text once
//! the estimate passes it, before the memory is taken.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::Cell;
use std::fmt;

/// The memory one JSON row or cell may take once read (estimated, see [`parse_bounded`]).
/// Realistic rows stay well below it: a LiteLLM row logging 1,000 tokens of `top_logprobs`
/// (about 20 MiB as values), 300 embeddings of 1,536 floats (about 21 MiB), an OpenAI Usage
/// bucket of 20,000 API keys' results (about 45 MiB).
pub const VALUE_BUDGET_BYTES: usize = 56 << 20;

/// What one value costs: the `Value` itself.
const VALUE_BYTES: usize = std::mem::size_of::<Value>();
/// What an array's element adds besides its value: the vector's spare room (it doubles as it
/// grows, so a half on average).
const ELEMENT_SLACK_BYTES: usize = VALUE_BYTES / 2;
/// One node of an object's map: a B-tree leaf of 11 keys and values, and the allocator's
/// header. An object's first 11 members share one.
const NODE_BYTES: usize = 11 * (std::mem::size_of::<String>() + VALUE_BYTES) + 16;
/// Members one node holds on average once a map has split (nodes are half to full).
const MEMBERS_PER_SPLIT_NODE: usize = 6;

/// The heap a string of `len` bytes takes: nothing when empty, else its bytes rounded up to
/// the allocator's 16 and its header.
fn heap_bytes(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        len.div_ceil(16) * 16 + 16
    }
}

/// Why a text is refused: its values would take more than the budget.
pub fn over_budget_message() -> String {
    format!(
        "the JSON is valid, but it holds so many values that reading it would take more than {} \
         MiB of memory (ptuplan reads a few fields of each row; drop or shorten the large member)",
        VALUE_BUDGET_BYTES >> 20
    )
}

/// Whether `e` is [`parse_bounded`]'s refusal (valid JSON over the budget), not a syntax
/// or shape error.
pub fn is_over_budget(e: &serde_json::Error) -> bool {
    e.is_data() && e.to_string().starts_with(&over_budget_message())
}

/// Parse `text` (one JSON value, white space around it allowed) into a `Value`, refusing it
/// with [`over_budget_message`] when its values would take more than [`VALUE_BUDGET_BYTES`].
pub fn parse_bounded(text: &[u8]) -> Result<Value, serde_json::Error> {
    let left = Cell::new(VALUE_BUDGET_BYTES);
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = Budgeted { left: &left }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A `deserialize_with` for an optional `Value` field of a typed row, within its own budget.
pub fn deserialize_bounded<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Value>, D::Error> {
    let left = Cell::new(VALUE_BUDGET_BYTES);
    Budgeted { left: &left }.deserialize(deserializer).map(Some)
}

/// The top-level members of the JSON object `text` whose key `pick` maps to `Some`, with their
/// values (each within its own budget), in the text's order; the other members are checked and
/// passed over without being built. Empty when `text` is not one valid JSON object.
pub fn find_top_level<T>(text: &[u8], pick: impl Fn(&str) -> Option<T>) -> Vec<(T, Value)> {
    struct Members<F>(F);
    impl<'de, T, F: Fn(&str) -> Option<T>> Visitor<'de> for Members<F> {
        type Value = Vec<(T, Value)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = Vec::new();
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match (self.0)(&key) {
                    Some(t) => {
                        let left = Cell::new(VALUE_BUDGET_BYTES);
                        found.push((t, map.next_value_seed(Budgeted { left: &left })?));
                    }
                    None => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    match de.deserialize_map(Members(pick)) {
        Ok(found) if de.end().is_ok() => found,
        _ => Vec::new(),
    }
}

/// Builds one value, charging its memory to `left`.
#[derive(Clone, Copy)]
struct Budgeted<'b> {
    left: &'b Cell<usize>,
}

impl Budgeted<'_> {
    fn charge<E: serde::de::Error>(self, bytes: usize) -> Result<(), E> {
        match self.left.get().checked_sub(bytes) {
            Some(rest) => {
                self.left.set(rest);
                Ok(())
            }
            None => Err(E::custom(over_budget_message())),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Budgeted<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Budgeted<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.charge(VALUE_BYTES)?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.charge(VALUE_BYTES)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.charge(VALUE_BYTES)?;
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.charge(VALUE_BYTES)?;
        // JSON text cannot hold NaN or an infinity; serde_json reads such a number as null too.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.charge(VALUE_BYTES + heap_bytes(v.len()))?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        self.charge(VALUE_BYTES + heap_bytes(v.len()))?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.charge(VALUE_BYTES)?;
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(VALUE_BYTES)?;
        let mut items = Vec::new();
        loop {
            self.charge(ELEMENT_SLACK_BYTES)?;
            match seq.next_element_seed(self)? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(VALUE_BYTES + NODE_BYTES)?;
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let split_share = if members.len() >= 11 {
                NODE_BYTES / MEMBERS_PER_SPLIT_NODE
            } else {
                0
            };
            self.charge(heap_bytes(key.len()) + split_share)?;
            let value = map.next_value_seed(self)?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":[1,2.5,-3,"x",null,true,{"c":{}}],"a":2}"#,
            "  [] ",
            r#""\u00e9""#,
            "1e400",
            "12345678901234567890",
        ] {
            let ours = parse_bounded(text.as_bytes()).map_err(|e| e.to_string());
            let theirs =
                serde_json::from_slice::<Value>(text.as_bytes()).map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in ["[1,]", "{\"a\":1} x", "", "{\"a\""] {
            assert!(parse_bounded(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn many_small_values_are_refused_before_they_are_read() {
        // 3.5 MiB of `{"a":0}`: about 350 MB as a tree.
        let mut text = b"[".to_vec();
        for _ in 0..500_000 {
            text.extend_from_slice(br#"{"a":0},"#);
        }
        text.extend_from_slice(br#"{"a":0}]"#);
        let e = parse_bounded(&text).unwrap_err();
        assert!(e.to_string().contains("MiB of memory"), "{e}");
        // Long strings cost their length: 16 MiB of text in one string is read.
        let long = format!("[\"{}\"]", "x".repeat(16 << 20));
        assert_eq!(
            parse_bounded(long.as_bytes()).unwrap()[0]
                .as_str()
                .unwrap()
                .len(),
            16 << 20
        );
    }
}
