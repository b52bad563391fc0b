//! History events in AWS's GetExecutionHistory shape: `{timestamp, type, id,
//! previousEventId, <x>EventDetails}`. Inputs and outputs inside details are JSON text.
//!
//! An event's input or output is the engine's shared value (`crate::value::Value`): the
//! very tree the thread passes to the next state, so recording it costs O(1) and keeps
//! no copy (sub-trees are shared between consecutive payloads). It is written as JSON
//! text only when the history is read (`to_json`).

use super::clock::format_iso;
use serde_json::{Map, Value};
use std::rc::Rc;

/// A recorded payload (an event's input or output).
pub type Payload = crate::value::Value;

/// One event. Kept at 64 bytes on wasm32: a larger value is moved (into the engine's
/// queue, out of it, into the history) by a `memory.copy` call, which node makes a call
/// out to C++, several per event; at 64 bytes or less wasm moves it with plain loads and
/// stores (a wasm build fails if it grows: see below).
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEvent {
    /// 32 bits: a wasm32 memory cannot hold 2^32 events (see `event_id`).
    pub id: u32,
    pub previous_event_id: u32,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// AWS's event type, e.g. `TaskStateEntered`.
    pub kind: &'static str,
    /// The name of the details member, e.g. `stateEnteredEventDetails`.
    pub details_key: Option<&'static str>,
    /// `None` when empty (most events). Shared: a Task state's details that are the same
    /// for every call are built once (`TaskDetails`), and a pointer keeps the event small.
    pub details: Option<Rc<Map<String, Value>>>,
    /// The `input`/`output` member of `details` (which holds a `null` placeholder in
    /// its place, keeping AWS's member order), written as JSON text by `to_json`.
    pub payload: Option<Payload>,
    /// StateEntered/StateExited: the state's name (their `name` member). These two
    /// events are most of a history, so their details are not a map: `details` holds
    /// only the Exited event's `assignedVariables*` members. MapIteration* events: the
    /// Map state's name, their `name` member.
    pub name: Option<Rc<str>>,
    /// MapIteration* events: the iteration's `index`, their first details member
    /// (`details` holds the rest, e.g. error and cause). 0 for other events.
    pub iteration_index: u32,
}

// Also `Step`, which carries events out of the engine, must stay within 64 bytes.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(
    std::mem::size_of::<HistoryEvent>() <= 64 && std::mem::size_of::<super::Step>() <= 64,
    "HistoryEvent and Step must stay within 64 bytes on wasm32 (moved without memory.copy)"
);

/// An engine event id (or index) as a `HistoryEvent` holds it. The engine counts in u64;
/// an id above u32::MAX would need more events than a wasm32 memory holds (or than a
/// native host could keep at 64 bytes each), so the conversion never saturates in practice.
pub fn event_id(id: u64) -> u32 {
    u32::try_from(id).unwrap_or(u32::MAX)
}

impl HistoryEvent {
    /// An event with no details, payload, name or iteration yet (its id is given when
    /// it is queued).
    pub fn new(
        previous_event_id: u64,
        timestamp: i64,
        kind: &'static str,
        details_key: Option<&'static str>,
    ) -> HistoryEvent {
        HistoryEvent {
            id: 0,
            previous_event_id: event_id(previous_event_id),
            timestamp,
            kind,
            details_key,
            details: None,
            payload: None,
            name: None,
            iteration_index: 0,
        }
    }

    /// A MapIteration* event: `name` and `iteration_index` are its first details members.
    pub fn is_iteration(&self) -> bool {
        self.kind.starts_with("MapIteration")
    }

    /// The members of `details` (none when it is empty).
    pub fn details(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.details.iter().flat_map(|d| d.iter())
    }

    /// `details` as stored: `None` for an empty map.
    pub fn shared_details(details: Map<String, Value>) -> Option<Rc<Map<String, Value>>> {
        (!details.is_empty()).then(|| Rc::new(details))
    }

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
        if let (Some(key), Some(name), false) = (self.details_key, &self.name, self.is_iteration())
        {
            let payload = self
                .payload
                .as_ref()
                .map_or_else(|| "null".to_string(), Payload::to_json_text);
            let payload = payload.as_str();
            let mut details = Map::new();
            if self.kind.ends_with("StateEntered") {
                put_payload(&mut details, "input", payload);
                details.insert("name".into(), Value::String(name.to_string()));
            } else {
                details.extend(self.details().map(|(k, v)| (k.clone(), v.clone())));
                details.insert("name".into(), Value::String(name.to_string()));
                put_payload(&mut details, "output", payload);
            }
            out.insert(key.into(), Value::Object(details));
        } else if let Some(key) = self.details_key {
            // `inputDetails`/`outputDetails` are not stored (always `{truncated: false}`):
            // they are added here, after their payload, as AWS orders them.
            let mut details = Map::new();
            if let (true, Some(name)) = (self.is_iteration(), &self.name) {
                details.insert("index".into(), Value::from(self.iteration_index));
                details.insert("name".into(), Value::String(name.to_string()));
            }
            for (k, v) in self.details() {
                let value = match (k.as_str(), &self.payload) {
                    ("input" | "output", Some(payload)) => Value::String(payload.to_json_text()),
                    _ => v.clone(),
                };
                details.insert(k.clone(), value);
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
}

/// `input`/`output` as JSON text and its `inputDetails`/`outputDetails` companion.
fn put_payload(details: &mut Map<String, Value>, key: &'static str, payload: &str) {
    details.insert(key.into(), Value::String(payload.to_string()));
    let companion = if key == "input" {
        "inputDetails"
    } else {
        "outputDetails"
    };
    let mut truncated = Map::new();
    truncated.insert("truncated".into(), Value::Bool(false));
    details.insert(companion.into(), Value::Object(truncated));
}

/// Details with a payload (`input` or `output`) as JSON text; the `…Details` companion
/// is added by `to_json`.
pub fn payload_details(payload_key: &'static str, text: String) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert(payload_key.into(), Value::String(text));
    details
}

/// Details whose payload (`input` or `output`) is the event's shared `payload` text:
/// a placeholder marks its place among the other members.
pub fn shared_payload_details(payload_key: &'static str) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert(payload_key.into(), Value::Null);
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

/// The details of a Task state's events that are the same for every call, built with the
/// machine and shared by the events (a Task loop records them thousands of times).
#[derive(Debug, Default)]
pub struct TaskDetails {
    /// LambdaFunctionScheduled / ActivityScheduled of a state without timeouts:
    /// `{input, resource}` (the input is the event's shared payload).
    pub scheduled: Option<Rc<Map<String, Value>>>,
    /// TaskStarted of a service integration: `{resourceType, resource}`.
    pub started: Option<Rc<Map<String, Value>>>,
    /// LambdaFunctionSucceeded / ActivitySucceeded: `{output}`; TaskSucceeded:
    /// `{output, resourceType, resource}`.
    pub succeeded: Option<Rc<Map<String, Value>>>,
}

impl TaskDetails {
    /// `resource`, read as `kind` (`None`: lambda:invoke); `timed`: the state sets a
    /// timeout or heartbeat, which its Scheduled event records per call.
    pub fn new(resource: &str, kind: Option<&super::TaskKind>, timed: bool) -> TaskDetails {
        use super::TaskKind;
        let (resource_type, split) = super::resource_parts(resource);
        let mut service = Map::new();
        service.insert("resourceType".into(), Value::String(resource_type));
        service.insert("resource".into(), Value::String(split));
        let mut succeeded = shared_payload_details("output");
        let scheduled = match kind {
            Some(TaskKind::LambdaArn { .. } | TaskKind::Activity { .. }) => {
                let mut d = shared_payload_details("input");
                let arn = match kind {
                    Some(TaskKind::Activity { arn }) => arn.as_str(),
                    _ => resource,
                };
                d.insert("resource".into(), Value::String(arn.into()));
                (!timed).then(|| Rc::new(d))
            }
            _ => {
                succeeded.extend(service.clone());
                None
            }
        };
        TaskDetails {
            scheduled,
            started: Some(Rc::new(service)),
            succeeded: Some(Rc::new(succeeded)),
        }
    }
}

/// An execution's events in order, stored in chunks of at most `EVENT_CHUNK`: a long
/// history grows without copying what it holds (a growing `Vec` is moved to a larger
/// block, and wasm's allocator copies it, megabytes at a time for a long loop).
#[derive(Debug, Default)]
pub struct EventLog {
    chunks: Vec<Vec<HistoryEvent>>,
    len: usize,
}

/// Events per chunk (128 KiB of events). The first chunk grows as a `Vec` does, so a
/// short execution does not reserve a whole chunk.
const EVENT_CHUNK: usize = 1024;

impl EventLog {
    pub fn push(&mut self, event: HistoryEvent) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < EVENT_CHUNK => chunk.push(event),
            _ => {
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() {
                    0
                } else {
                    EVENT_CHUNK
                });
                chunk.push(event);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, index: usize) -> Option<&HistoryEvent> {
        self.chunks
            .get(index / EVENT_CHUNK)?
            .get(index % EVENT_CHUNK)
    }

    pub fn iter(&self) -> impl Iterator<Item = &HistoryEvent> {
        self.chunks.iter().flatten()
    }

    /// The events at `range` (those that exist).
    pub fn range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &HistoryEvent> {
        range.map_while(|i| self.get(i))
    }
}

/// The first `len` events of a log: those a host has reported so far (see
/// `host::Driver::history`).
#[derive(Clone, Copy)]
pub struct Reported<'a> {
    log: &'a EventLog,
    len: usize,
}

impl<'a> Reported<'a> {
    pub fn new(log: &'a EventLog, len: usize) -> Reported<'a> {
        Reported {
            log,
            len: len.min(log.len()),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a HistoryEvent> {
        self.log.iter().take(self.len)
    }

    /// The events at `range` (those that exist).
    pub fn range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &'a HistoryEvent> {
        let end = range.end.min(self.len);
        self.log.range(range.start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: u32) -> HistoryEvent {
        HistoryEvent {
            id,
            ..HistoryEvent::new(0, 0, "PassStateEntered", None)
        }
    }

    #[test]
    fn event_log_keeps_order_across_chunks() {
        let mut log = EventLog::default();
        let count = EVENT_CHUNK * 2 + 7;
        for id in 0..count as u32 {
            log.push(event(id));
        }
        assert_eq!(log.len(), count);
        assert!(log.iter().map(|e| e.id).eq(0..count as u32));
        assert_eq!(log.get(EVENT_CHUNK).map(|e| e.id), Some(EVENT_CHUNK as u32));
        assert!(log.get(count).is_none());
        let ids: Vec<u32> = log
            .range(EVENT_CHUNK - 2..EVENT_CHUNK + 2)
            .map(|e| e.id)
            .collect();
        assert_eq!(
            ids,
            (EVENT_CHUNK as u32 - 2..EVENT_CHUNK as u32 + 2).collect::<Vec<_>>()
        );
        assert_eq!(log.range(count - 1..count + 5).count(), 1);
    }
}
