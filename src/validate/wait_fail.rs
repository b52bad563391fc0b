//! Wait and Fail states.

use super::*;

impl Ctx<'_> {
    pub(super) fn wait(
        &mut self,
        name: &str,
        state: &Map<String, Value>,
        at: &str,
        ql: QueryLanguage,
    ) {
        let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|f| state.contains_key(*f))
            .collect();
        match present.len() {
            0 => self.error_key(
                "MISSING_FIELD",
                format!("Wait state '{name}' must have exactly one of Seconds, Timestamp, SecondsPath, TimestampPath"),
                at,
            ),
            1 => {}
            _ => self.error_key(
                "EXCLUSIVE_FIELDS",
                format!("Wait state '{name}' has {}; it must have exactly one of Seconds, Timestamp, SecondsPath, TimestampPath", present.join(" and ")),
                &child(at, present[1]),
            ),
        }
        if let Some(v) = state.get("Seconds") {
            let here = child(at, "Seconds");
            match v {
                Value::String(s)
                    if ql == QueryLanguage::JSONata && syntax::jsonata_expression(s).is_some() =>
                {
                    self.jsonata_string(s, &here)
                }
                _ => {
                    if let Err(e) = int_in(v, 0, MAX_SECONDS) {
                        self.error("INVALID_VALUE", format!("Seconds: {e}"), &here);
                    }
                }
            }
        }
        if let Some(v) = state.get("Timestamp") {
            let here = child(at, "Timestamp");
            match v {
                Value::String(s)
                    if ql == QueryLanguage::JSONata && syntax::jsonata_expression(s).is_some() =>
                {
                    self.jsonata_string(s, &here)
                }
                Value::String(s) => {
                    if let Err(e) = syntax::check_timestamp(s) {
                        self.error("INVALID_TIMESTAMP", e, &here);
                    }
                }
                other => self.error(
                    "INVALID_TYPE",
                    format!(
                        "Timestamp must be an RFC 3339 timestamp string, not {}",
                        type_name(other)
                    ),
                    &here,
                ),
            }
        }
        for f in ["SecondsPath", "TimestampPath"] {
            if let Some(v) = state.get(f) {
                self.path_field(v, &child(at, f), f);
            }
        }
    }

    pub(super) fn fail(&mut self, state: &Map<String, Value>, at: &str, ql: QueryLanguage) {
        for (field, path_field) in [("Error", "ErrorPath"), ("Cause", "CausePath")] {
            if state.contains_key(field) && state.contains_key(path_field) {
                self.error_key(
                    "EXCLUSIVE_FIELDS",
                    format!("A Fail state may have only one of '{field}' and '{path_field}'"),
                    &child(at, path_field),
                );
            }
            if let Some(v) = state.get(field) {
                let here = child(at, field);
                match v {
                    Value::String(s) if ql == QueryLanguage::JSONata => {
                        self.jsonata_string(s, &here)
                    }
                    Value::String(s) if looks_like_path(s) => self.warning(
                        "MISSING_PATH_SUFFIX",
                        format!("{field} is the literal text '{s}'; to take it from the input, use {path_field}"),
                        &here,
                    ),
                    Value::String(_) => {}
                    other => self.error(
                        "INVALID_TYPE",
                        format!("{field} must be a string, not {}", type_name(other)),
                        &here,
                    ),
                }
            }
            if let Some(v) = state.get(path_field) {
                let here = child(at, path_field);
                match v {
                    Value::String(s) => {
                        if let Err(e) = syntax::check_path_or_intrinsic(s) {
                            self.error(
                                "INVALID_PATH",
                                format!("{path_field} '{s}' must be a valid JSONPath or intrinsic function: {e}"),
                                &here,
                            );
                        }
                    }
                    other => self.error(
                        "INVALID_TYPE",
                        format!(
                            "{path_field} must be a path string, not {}",
                            type_name(other)
                        ),
                        &here,
                    ),
                }
            }
        }
    }
}
