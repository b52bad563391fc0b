//! History events in AWS's GetExecutionHistory shape: `{timestamp, type, id,
//! previousEventId, <x>EventDetails}`. Inputs and outputs inside details are JSON text.

use super::clock::format_iso;
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    pub id: u64,
    pub previous_event_id: u64,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// AWS's event type, e.g. `TaskStateEntered`.
    pub kind: &'static str,
    /// The name of the details member, e.g. `stateEnteredEventDetails`.
    pub details_key: Option<&'static str>,
    pub details: Map<String, Value>,
}

impl HistoryEvent {
    /// The event as AWS's API returns it (timestamps as ISO 8601 text).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert(
            "timestamp".into(),
            Value::String(format_iso(self.timestamp)),
        );
        out.insert("type".into(), Value::String(self.kind.into()));
        out.insert("id".into(), Value::from(self.id));
        out.insert(
            "previousEventId".into(),
            Value::from(self.previous_event_id),
        );
        if let Some(key) = self.details_key {
            // `inputDetails`/`outputDetails` are not stored (always `{truncated: false}`):
            // they are added here, after their payload, as AWS orders them.
            let mut details = Map::new();
            for (k, v) in &self.details {
                details.insert(k.clone(), v.clone());
                let companion = match k.as_str() {
                    "input" => "inputDetails",
                    "output" => "outputDetails",
                    _ => continue,
                };
                let mut truncated = Map::new();
                truncated.insert("truncated".into(), Value::Bool(false));
                details.insert(companion.into(), Value::Object(truncated));
            }
            out.insert(key.into(), Value::Object(details));
        }
        Value::Object(out)
    }

    /// The state name in `stateEnteredEventDetails`/`stateExitedEventDetails`, if any.
    pub fn state_name(&self) -> Option<&str> {
        self.details
            .get("name")
            .and_then(Value::as_str)
            .filter(|_| self.kind.ends_with("StateEntered") || self.kind.ends_with("StateExited"))
    }
}

/// Details with a payload (`input` or `output`) as JSON text; the `…Details` companion
/// is added by `to_json`.
pub fn payload_details(payload_key: &'static str, text: String) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert(payload_key.into(), Value::String(text));
    details
}

/// `{error, cause}` details; a missing cause is left out as AWS does.
pub fn failure_details(error: &str, cause: Option<&str>) -> Map<String, Value> {
    let mut details = Map::new();
    if let Some(cause) = cause {
        details.insert("cause".into(), Value::String(cause.into()));
    }
    details.insert("error".into(), Value::String(error.into()));
    details
}
