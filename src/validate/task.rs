//! Task states (Resource, timeouts, Credentials) and the Retry and Catch fields of
//! Task, Parallel and Map states.

use super::*;

impl Ctx<'_> {
    pub(super) fn task(&mut self, state: &Map<String, Value>, at: &str, ql: QueryLanguage) {
        match state.get("Resource") {
            None => self.missing("Resource", "a Task state", at),
            Some(Value::String(arn)) => {
                self.resource(arn, &child(at, "Resource"), ResourceUse::Task)
            }
            Some(other) => self.error(
                "INVALID_TYPE",
                format!("Resource must be an ARN string, not {}", type_name(other)),
                &child(at, "Resource"),
            ),
        }
        let timeout = self.seconds_pair(state, at, ql, "TimeoutSeconds", 1);
        let heartbeat = self.seconds_pair(state, at, ql, "HeartbeatSeconds", 1);
        if let (Some(t), Some(h)) = (timeout, heartbeat) {
            if h >= t {
                self.error(
                    "INVALID_VALUE",
                    format!("HeartbeatSeconds ({h}) must be smaller than TimeoutSeconds ({t})"),
                    &child(at, "HeartbeatSeconds"),
                );
            }
        }
        if let Some(creds) = state.get("Credentials") {
            self.credentials(creds, &child(at, "Credentials"), ql);
        }
    }

    /// `<field>` and `<field>Path` (JSONPath) are exclusive; returns the static value.
    pub(super) fn seconds_pair(
        &mut self,
        state: &Map<String, Value>,
        at: &str,
        ql: QueryLanguage,
        field: &str,
        min: i64,
    ) -> Option<i64> {
        let path_field = format!("{field}Path");
        if state.contains_key(field) && state.contains_key(&path_field) {
            self.error_key(
                "EXCLUSIVE_FIELDS",
                format!("A state may have only one of '{field}' and '{path_field}'"),
                &child(at, &path_field),
            );
        }
        if let Some(p) = state.get(&path_field) {
            self.path_field(p, &child(at, &path_field), &path_field);
        }
        let v = state.get(field)?;
        let here = child(at, field);
        if ql == QueryLanguage::JSONata {
            if let Value::String(s) = v {
                if syntax::jsonata_expression(s).is_some() {
                    self.jsonata_string(s, &here);
                    return None;
                }
            }
        }
        match int_in(v, min, MAX_SECONDS) {
            Ok(n) => Some(n),
            Err(e) => {
                self.error("INVALID_VALUE", format!("{field}: {e}"), &here);
                None
            }
        }
    }

    pub(super) fn credentials(&mut self, v: &Value, at: &str, ql: QueryLanguage) {
        let Value::Object(map) = v else {
            self.error(
                "INVALID_TYPE",
                format!(
                    "Credentials must be an object with a RoleArn, not {}",
                    type_name(v)
                ),
                at,
            );
            return;
        };
        let has_role = map.contains_key("RoleArn")
            || (ql == QueryLanguage::JSONPath && map.contains_key("RoleArn.$"));
        if !has_role {
            self.error_key(
                "MISSING_FIELD",
                "The field 'RoleArn' is required in Credentials",
                at,
            );
        }
        for (key, value) in map {
            let here = child(at, key);
            match (key.as_str(), ql) {
                ("RoleArn", QueryLanguage::JSONata) => {
                    if let Value::String(s) = value {
                        self.jsonata_string(s, &here);
                    } else {
                        self.expect_string(value, &here);
                    }
                }
                ("RoleArn", QueryLanguage::JSONPath) => self.expect_string(value, &here),
                ("RoleArn.$", QueryLanguage::JSONPath) => self.dollar_value(key, value, &here),
                _ => self.error_key(
                    "UNKNOWN_FIELD",
                    format!("Unknown field '{key}' in Credentials; expected RoleArn"),
                    &here,
                ),
            }
        }
    }

    pub(super) fn resource(&mut self, arn: &str, at: &str, usage: ResourceUse) {
        if let Err(e) = fields::check_resource(arn, usage) {
            self.error(
                "INVALID_RESOURCE",
                format!("The resource '{arn}' is not valid: {e}"),
                at,
            );
            return;
        }
        if self.options.machine_type == MachineType::Express {
            if arn.starts_with("arn:") && arn.split(':').nth(5) == Some("activity") {
                self.error(
                    "UNSUPPORTED_IN_EXPRESS",
                    format!("Express state machines do not support activities ('{arn}')"),
                    at,
                );
            }
            for suffix in [".waitForTaskToken", ".sync"] {
                if arn.contains(suffix) && arn.starts_with("arn:") {
                    self.error(
                        "UNSUPPORTED_IN_EXPRESS",
                        format!("Express state machines do not support the '{suffix}' service integration pattern ('{arn}')"),
                        at,
                    );
                }
            }
        }
    }

    // ---------------------------------------------------------------- Retry / Catch

    pub(super) fn error_equals(
        &mut self,
        entry: &Map<String, Value>,
        at: &str,
        what: &str,
    ) -> Vec<String> {
        let here = child(at, "ErrorEquals");
        let Some(v) = entry.get("ErrorEquals") else {
            self.missing("ErrorEquals", what, at);
            return Vec::new();
        };
        let Value::Array(items) = v else {
            self.error(
                "INVALID_TYPE",
                format!(
                    "ErrorEquals must be a non-empty array of error names, not {}",
                    type_name(v)
                ),
                &here,
            );
            return Vec::new();
        };
        if items.is_empty() {
            self.error(
                "INVALID_VALUE",
                "ErrorEquals must be a non-empty array of error names",
                &here,
            );
        }
        let mut names = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => names.push(s.clone()),
                other => self.error(
                    "INVALID_TYPE",
                    format!(
                        "Error names in ErrorEquals must be strings, not {}",
                        type_name(other)
                    ),
                    &format!("{here}/{i}"),
                ),
            }
        }
        if names.iter().any(|n| n == "States.ALL") && items.len() > 1 {
            self.error(
                "STATES_ALL_NOT_ALONE",
                "States.ALL must appear alone in its ErrorEquals",
                &here,
            );
        }
        names
    }

    pub(super) fn retry(&mut self, state: &Map<String, Value>, at: &str) {
        let Some(v) = state.get("Retry") else { return };
        let here = child(at, "Retry");
        let Value::Array(retriers) = v else {
            self.error(
                "INVALID_TYPE",
                format!("Retry must be an array of retriers, not {}", type_name(v)),
                &here,
            );
            return;
        };
        let mut seen: HashSet<String> = HashSet::new();
        for (i, r) in retriers.iter().enumerate() {
            let at_r = format!("{here}/{i}");
            let Value::Object(r) = r else {
                self.error(
                    "INVALID_TYPE",
                    format!("A retrier must be an object, not {}", type_name(r)),
                    &at_r,
                );
                continue;
            };
            let names = self.error_equals(r, &at_r, "a retrier");
            self.all_last(&names, i, retriers.len(), &at_r, "retrier");
            if !names.is_empty()
                && names
                    .iter()
                    .all(|n| seen.contains(n) || seen.contains("States.ALL"))
            {
                self.warning(
                    "RETRIER_NEVER_USED",
                    "This retrier can never be used: earlier retriers already match all of its errors",
                    &child(&at_r, "ErrorEquals"),
                );
            }
            self.errors_never_raised(state, &names, &at_r, "retrier");
            seen.extend(names);
            for (key, value) in r {
                let at_f = child(&at_r, key);
                let problem = match key.as_str() {
                    "ErrorEquals" => None,
                    "Comment" => {
                        (!value.is_string()).then(|| "Comment must be a string".to_string())
                    }
                    "IntervalSeconds" => int_in(value, 1, MAX_SECONDS).err(),
                    "MaxAttempts" => int_in(value, 0, MAX_SECONDS).err(),
                    "MaxDelaySeconds" => int_in(value, 1, 31_622_400).err(),
                    "BackoffRate" => match value.as_f64() {
                        Some(f) if f >= 1.0 => None,
                        Some(f) => Some(format!("{f} is below the allowed minimum of 1.0")),
                        None => Some(format!("expected a number, got {}", type_name(value))),
                    },
                    "JitterStrategy" => match value.as_str() {
                        Some("FULL" | "NONE") => None,
                        _ => Some(format!(
                            "{value} is not one of the allowed values \"FULL\", \"NONE\""
                        )),
                    },
                    _ => {
                        self.error_key(
                            "UNKNOWN_FIELD",
                            format!("Unknown field '{key}' in a retrier; expected ErrorEquals, IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy, Comment"),
                            &at_f,
                        );
                        None
                    }
                };
                if let Some(p) = problem {
                    self.error("INVALID_VALUE", format!("{key}: {p}"), &at_f);
                }
            }
        }
    }

    /// A Task state's retrier or catcher that names only errors a Task never raises (the
    /// errors of Parallel, Map and Choice states, or a heartbeat timeout without
    /// HeartbeatSeconds): it can never apply. Parallel and Map states are not checked,
    /// because the error of a failed branch or iteration passes through them unchanged.
    fn errors_never_raised(
        &mut self,
        state: &Map<String, Value>,
        names: &[String],
        at: &str,
        what: &str,
    ) {
        if state.get("Type").and_then(Value::as_str) != Some("Task") || names.is_empty() {
            return;
        }
        let has_heartbeat =
            state.contains_key("HeartbeatSeconds") || state.contains_key("HeartbeatSecondsPath");
        let never = |name: &str| match name {
            "States.BranchFailed"
            | "States.NoChoiceMatched"
            | "States.ExceedToleratedFailureThreshold"
            | "States.ItemReaderFailed"
            | "States.ResultWriterFailed" => true,
            "States.HeartbeatTimeout" => !has_heartbeat,
            _ => false,
        };
        if names.iter().all(|n| never(n)) {
            self.warning(
                "ERROR_NEVER_RAISED",
                format!(
                    "This {what} can never apply: a Task state never raises {}{}",
                    names.join(", "),
                    if names.iter().any(|n| n == "States.HeartbeatTimeout") {
                        " (States.HeartbeatTimeout needs HeartbeatSeconds or HeartbeatSecondsPath)"
                    } else {
                        ""
                    }
                ),
                &child(at, "ErrorEquals"),
            );
        }
    }

    pub(super) fn all_last(
        &mut self,
        names: &[String],
        i: usize,
        count: usize,
        at: &str,
        what: &str,
    ) {
        if names.iter().any(|n| n == "States.ALL") && i + 1 < count {
            self.error(
                "STATES_ALL_NOT_LAST",
                format!("A {what} with States.ALL must be the last one; the {what}s after it can never match"),
                &child(at, "ErrorEquals"),
            );
        }
    }

    pub(super) fn catch(&mut self, state: &Map<String, Value>, at: &str, ql: QueryLanguage) {
        let Some(v) = state.get("Catch") else { return };
        let here = child(at, "Catch");
        let Value::Array(catchers) = v else {
            self.error(
                "INVALID_TYPE",
                format!("Catch must be an array of catchers, not {}", type_name(v)),
                &here,
            );
            return;
        };
        let mut seen: HashSet<String> = HashSet::new();
        for (i, c) in catchers.iter().enumerate() {
            let at_c = format!("{here}/{i}");
            let Value::Object(c) = c else {
                self.error(
                    "INVALID_TYPE",
                    format!("A catcher must be an object, not {}", type_name(c)),
                    &at_c,
                );
                continue;
            };
            let names = self.error_equals(c, &at_c, "a catcher");
            self.all_last(&names, i, catchers.len(), &at_c, "catcher");
            if !names.is_empty()
                && names
                    .iter()
                    .all(|n| seen.contains(n) || seen.contains("States.ALL"))
            {
                self.warning(
                    "CATCHER_NEVER_USED",
                    "This catcher can never match: earlier catchers already catch all of its errors",
                    &child(&at_c, "ErrorEquals"),
                );
            }
            self.errors_never_raised(state, &names, &at_c, "catcher");
            seen.extend(names);
            if !c.contains_key("Next") {
                self.missing("Next", "a catcher", &at_c);
            }
            for (key, value) in c {
                let at_f = child(&at_c, key);
                match (key.as_str(), ql) {
                    ("ErrorEquals", _) => {}
                    ("Next" | "Comment", _) => self.expect_string(value, &at_f),
                    ("ResultPath", QueryLanguage::JSONPath) => self.result_path(value, &at_f),
                    ("Output", QueryLanguage::JSONata) => self.jsonata_template(value, &at_f),
                    ("Assign", _) => self.assign(value, &at_f, ql),
                    ("ResultPath" | "Output", _) => self.error_key(
                        "FIELD_NOT_SUPPORTED_IN_QUERY_LANGUAGE",
                        format!(
                            "The field '{key}' of a catcher is not supported with {}{}",
                            ql.name(),
                            fields::replacement_hint(key, ql)
                        ),
                        &at_f,
                    ),
                    _ => self.error_key(
                        "UNKNOWN_FIELD",
                        format!(
                            "Unknown field '{key}' in a catcher; expected ErrorEquals, Next, {}, Assign, Comment",
                            if ql == QueryLanguage::JSONPath { "ResultPath" } else { "Output" }
                        ),
                        &at_f,
                    ),
                }
            }
        }
    }
}
