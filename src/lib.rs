//! ptuplan: replay recorded Azure OpenAI token-usage logs against a sourced catalog of prices,
//! PTU capacity figures and region availability, simulate every deployment option, and
//! compare their cost.
//!
//! The pipeline is `usage -> catalog -> sim -> plan -> report`; `app` and `commands` are the
//! command-line edges.

pub mod allocator;
pub mod catalog;
pub mod cleanup;
pub mod cli;
pub mod commands;
pub mod files;
pub mod fuzzing;
pub mod ops;
pub mod plan;
pub mod progress;
pub mod render;
pub mod report;
pub mod scenario;
pub mod settings;
pub mod sim;
pub mod text;
pub mod usage;
