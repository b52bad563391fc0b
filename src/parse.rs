//! Definition text -> JSON value, keeping where every key and value stands in the text
//! (JSON pointer -> line/column ranges) so that diagnostics point at the exact place.

use crate::validate::Diagnostic;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

/// A place in the text: 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// Where one node of the document stands: its key (for object members) and its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSpan {
    pub key: Option<Range>,
    pub value: Range,
}

/// JSON pointer (e.g. `/States/Check Inventory/Next`) -> span.
pub type SpanMap = HashMap<String, NodeSpan>;

/// A parsed definition: the value, and the spans when it came from text.
#[derive(Clone, Debug)]
pub struct ParsedDefinition {
    pub value: Value,
    pub spans: Option<SpanMap>,
}

/// Parses definition text. Text that is not JSON gives an `INVALID_JSON` diagnostic with
/// the position of the problem.
pub fn parse_text(text: &str) -> Result<ParsedDefinition, Diagnostic> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Ok(ParsedDefinition { value, spans: None }),
        Err(err) => {
            let at = Position {
                line: err.line() as u32,
                column: err.column().max(1) as u32,
            };
            Err(Diagnostic::error(
                "INVALID_JSON",
                format!("The definition is not valid JSON: {err}"),
                "",
            )
            .with_range(Some(Range { start: at, end: at })))
        }
    }
}
