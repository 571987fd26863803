//! Where a command's output goes: `--out` or stdout, laid out for the terminal it is.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::render::guard::InputFiles;
use crate::render::layout::Terminal;
use crate::render::open_output;

/// Open `out` (`--out`; none or `-`: stdout), let `render` write to it for the terminal it is,
/// and flush; `what` names the output in errors ("writing the report").
pub(crate) fn write_output(
    out: Option<&Path>,
    inputs: &InputFiles,
    what: &'static str,
    render: impl FnOnce(&Terminal, &mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let terminal = Terminal::for_output(out);
    let mut file = open_output(out, inputs)?;
    render(&terminal, &mut file).context(what)?;
    file.flush().context(what)
}
