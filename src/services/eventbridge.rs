//! An in-memory EventBridge: event buses, each an ordered list of the events put on it.
//! PutEvents; the bus `default` always exists, others exist once seeded or used.

use super::{body_text, seed_lists, seed_object, ApiError, ApiResult, Ids};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct EventBridge {
    /// Bus name -> events in the order they were put.
    pub buses: BTreeMap<String, Vec<Value>>,
}

impl Default for EventBridge {
    fn default() -> Self {
        EventBridge {
            buses: BTreeMap::from([("default".to_string(), Vec::new())]),
        }
    }
}

impl EventBridge {
    /// `{ buses: [NAME, ...] | { NAME: [ { Source, DetailType, Detail, ... } ] } }`.
    pub fn seed(&mut self, seed: &Value, ids: &mut Ids) -> Result<(), String> {
        let map = seed_object(seed, "eventbridge", &["buses"])?;
        seed_lists(
            &mut self.buses,
            map.get("buses"),
            "eventbridge.buses",
            |e| {
                let Value::Object(_) = e else {
                    return Err("an event must be an object".into());
                };
                let mut event = e.clone();
                if event.get("EventId").is_none() {
                    event["EventId"] = json!(ids.uuid());
                }
                Ok(event)
            },
        )
    }

    /// `None` for an API this simulation does not implement.
    pub fn call(&mut self, action: &str, input: &Value, ids: &mut Ids) -> Option<ApiResult> {
        match action {
            "putEvents" => Some(self.put_events(input, ids)),
            _ => None,
        }
    }

    fn put_events(&mut self, input: &Value, ids: &mut Ids) -> ApiResult {
        let entries = match input.get("Entries") {
            Some(Value::Array(entries)) if !entries.is_empty() => entries,
            _ => {
                return Err(ApiError::validation(
                    "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
                ))
            }
        };
        if entries.len() > 10 {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{}' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
                entries.len()
            )));
        }
        let mut results = Vec::new();
        let mut failed = 0;
        for entry in entries {
            match self.put_event(entry, ids) {
                Ok(id) => results.push(json!({ "EventId": id })),
                Err((code, message)) => {
                    failed += 1;
                    results.push(json!({ "ErrorCode": code, "ErrorMessage": message }));
                }
            }
        }
        Ok(json!({ "Entries": results, "FailedEntryCount": failed }))
    }

    fn put_event(
        &mut self,
        entry: &Value,
        ids: &mut Ids,
    ) -> Result<String, (&'static str, String)> {
        let mut event = Map::new();
        for field in ["Source", "DetailType", "Detail"] {
            match entry.get(field) {
                None | Some(Value::Null) => {
                    return Err((
                        "InvalidArgument",
                        format!(
                        "Parameter {field} is not valid. Reason: {field} is a required argument."
                    ),
                    ))
                }
                // Step Functions serialises a JSON Detail.
                Some(value) => event.insert(field.into(), json!(body_text(value))),
            };
        }
        for field in ["Resources", "Time", "TraceHeader"] {
            if let Some(v) = entry.get(field) {
                event.insert(field.into(), v.clone());
            }
        }
        let bus = entry
            .get("EventBusName")
            .and_then(Value::as_str)
            .map(|b| b.rsplit_once(":event-bus/").map_or(b, |(_, name)| name))
            .unwrap_or("default");
        let id = ids.uuid();
        event.insert("EventId".into(), json!(id));
        self.buses
            .entry(bus.to_string())
            .or_default()
            .push(Value::Object(event));
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_events_per_bus() {
        let mut events = EventBridge::default();
        let mut ids = Ids::default();
        let input = json!({"Entries": [
            {"Source": "shop", "DetailType": "Order", "Detail": {"id": 1}},
            {"Source": "shop", "DetailType": "Order", "Detail": "{}", "EventBusName": "arn:aws:events:us-east-1:123456789012:event-bus/orders"},
        ]});
        let out = events.call("putEvents", &input, &mut ids).unwrap().unwrap();
        assert_eq!(out["FailedEntryCount"], 0);
        assert_eq!(events.buses["default"][0]["Detail"], "{\"id\":1}");
        assert_eq!(
            events.buses["default"][0]["EventId"],
            out["Entries"][0]["EventId"]
        );
        assert_eq!(events.buses["orders"].len(), 1);
    }

    #[test]
    fn a_bad_entry_fails_alone() {
        let mut events = EventBridge::default();
        let mut ids = Ids::default();
        let input = json!({"Entries": [{"Source": "s", "DetailType": "d", "Detail": "{}"}, {"Source": "s"}]});
        let out = events.call("putEvents", &input, &mut ids).unwrap().unwrap();
        assert_eq!(out["FailedEntryCount"], 1);
        assert_eq!(out["Entries"][1]["ErrorCode"], "InvalidArgument");
        assert_eq!(events.buses["default"].len(), 1);
        assert!(events
            .call("putEvents", &json!({}), &mut ids)
            .unwrap()
            .is_err());
        assert!(events.call("listRules", &json!({}), &mut ids).is_none());
    }
}
