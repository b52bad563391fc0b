//! Parallel and Map states: branches and item processors as nested machines, and the
//! Map fields (ItemReader, ItemBatcher, ResultWriter, concurrency, tolerated failures, Label).

use super::*;

impl Ctx<'_> {
    pub(super) fn parallel(
        &mut self,
        name: &str,
        state: &Map<String, Value>,
        at: &str,
        top_ql: QueryLanguage,
        depth: usize,
    ) {
        let here = child(at, "Branches");
        match state.get("Branches") {
            None => self.missing("Branches", &format!("Parallel state '{name}'"), at),
            Some(Value::Array(branches)) => {
                if branches.is_empty() {
                    self.warning(
                        "EMPTY_BRANCHES",
                        "Branches is empty: the Parallel state does nothing and outputs []",
                        &here,
                    );
                }
                for (i, b) in branches.iter().enumerate() {
                    let at_b = format!("{here}/{i}");
                    match b {
                        Value::Object(b) => {
                            self.machine(b, &at_b, Scope::Branch, top_ql, depth + 1)
                        }
                        other => self.error(
                            "INVALID_TYPE",
                            format!(
                                "A branch must be an object with StartAt and States, not {}",
                                type_name(other)
                            ),
                            &at_b,
                        ),
                    }
                }
            }
            Some(other) => self.error(
                "INVALID_TYPE",
                format!(
                    "Branches must be an array of branches, not {}",
                    type_name(other)
                ),
                &here,
            ),
        }
    }

    pub(super) fn map(
        &mut self,
        name: &str,
        state: &Map<String, Value>,
        at: &str,
        ql: QueryLanguage,
        top_ql: QueryLanguage,
        depth: usize,
    ) {
        let processor = match (state.get("ItemProcessor"), state.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.error_key(
                    "EXCLUSIVE_FIELDS",
                    format!("Map state '{name}' has both ItemProcessor and Iterator; use only ItemProcessor (Iterator is its deprecated name)"),
                    &child(at, "Iterator"),
                );
                state.get("ItemProcessor").map(|p| (p, "ItemProcessor"))
            }
            (Some(p), None) => Some((p, "ItemProcessor")),
            (None, Some(p)) => Some((p, "Iterator")),
            (None, None) => {
                self.missing("ItemProcessor", &format!("Map state '{name}'"), at);
                None
            }
        };
        if let Some((processor, field)) = processor {
            let here = child(at, field);
            match processor {
                Value::Object(p) => {
                    let distributed = self.processor_config(p, &here);
                    self.machine(
                        p,
                        &here,
                        Scope::MapProcessor { distributed },
                        top_ql,
                        depth + 1,
                    );
                }
                other => self.error(
                    "INVALID_TYPE",
                    format!(
                        "{field} must be an object with StartAt and States, not {}",
                        type_name(other)
                    ),
                    &here,
                ),
            }
        }
        if let Some(v) = state.get("ItemsPath") {
            self.nullable_path(v, &child(at, "ItemsPath"), "ItemsPath", ANY_ROOT);
            if v.is_null() {
                self.error(
                    "INVALID_TYPE",
                    "ItemsPath must be a path string, not null",
                    &child(at, "ItemsPath"),
                );
            }
        }
        if let Some(v) = state.get("Items") {
            match v {
                Value::Array(_) => self.jsonata_template(v, &child(at, "Items")),
                Value::String(s) if syntax::jsonata_expression(s).is_some() => {
                    self.jsonata_string(s, &child(at, "Items"))
                }
                other => self.error(
                    "INVALID_TYPE",
                    format!(
                        "Items must be an array or a JSONata expression, not {}",
                        type_name(other)
                    ),
                    &child(at, "Items"),
                ),
            }
        }
        if state.contains_key("ItemSelector") && state.contains_key("Parameters") {
            self.error_key(
                "EXCLUSIVE_FIELDS",
                format!("Map state '{name}' has both ItemSelector and Parameters; use only ItemSelector (Parameters is its deprecated name)"),
                &child(at, "Parameters"),
            );
        }
        if let Some(v) = state.get("ItemSelector") {
            let here = child(at, "ItemSelector");
            match ql {
                QueryLanguage::JSONPath => {
                    self.expect_object(v, &here, "ItemSelector");
                    self.payload_template(v, &here);
                }
                QueryLanguage::JSONata => self.jsonata_template(v, &here),
            }
        }
        self.count_field(state, at, ql, "MaxConcurrency", 0, i64::from(u32::MAX));
        self.count_field(
            state,
            at,
            ql,
            "ToleratedFailureCount",
            0,
            i64::from(u32::MAX),
        );
        self.percentage_field(state, at, ql);
        if let Some(v) = state.get("Label") {
            self.label(v, &child(at, "Label"));
        }
        if let Some(v) = state.get("ItemReader") {
            self.item_reader(v, &child(at, "ItemReader"), ql);
        }
        if let Some(v) = state.get("ItemBatcher") {
            self.item_batcher(v, &child(at, "ItemBatcher"), ql);
        }
        if let Some(v) = state.get("ResultWriter") {
            self.result_writer(v, &child(at, "ResultWriter"), ql);
        }
    }

    /// Checks ProcessorConfig; returns whether the Map is DISTRIBUTED.
    pub(super) fn processor_config(&mut self, processor: &Map<String, Value>, at: &str) -> bool {
        let Some(config) = processor.get("ProcessorConfig") else {
            return false;
        };
        let here = child(at, "ProcessorConfig");
        let Value::Object(config) = config else {
            self.error(
                "INVALID_TYPE",
                format!(
                    "ProcessorConfig must be an object, not {}",
                    type_name(config)
                ),
                &here,
            );
            return false;
        };
        let mut distributed = false;
        for (key, value) in config {
            let at_f = child(&here, key);
            match key.as_str() {
                "Mode" => match value.as_str() {
                    Some("INLINE") => {}
                    Some("DISTRIBUTED") => distributed = true,
                    _ => self.error(
                        "INVALID_VALUE",
                        format!("Mode must be \"INLINE\" or \"DISTRIBUTED\", not {value}"),
                        &at_f,
                    ),
                },
                "ExecutionType" => match value.as_str() {
                    Some("STANDARD" | "EXPRESS") => {}
                    _ => self.error(
                        "INVALID_VALUE",
                        format!("ExecutionType must be \"STANDARD\" or \"EXPRESS\", not {value}"),
                        &at_f,
                    ),
                },
                _ => self.error_key(
                    "UNKNOWN_FIELD",
                    format!(
                        "Unknown field '{key}' in ProcessorConfig; expected Mode, ExecutionType"
                    ),
                    &at_f,
                ),
            }
        }
        distributed
    }

    pub(super) fn count_field(
        &mut self,
        state: &Map<String, Value>,
        at: &str,
        ql: QueryLanguage,
        field: &str,
        min: i64,
        max: i64,
    ) {
        let path_field = format!("{field}Path");
        if state.contains_key(field) && state.contains_key(&path_field) {
            self.error_key(
                "EXCLUSIVE_FIELDS",
                format!("A Map state may have only one of '{field}' and '{path_field}'"),
                &child(at, &path_field),
            );
        }
        if let Some(p) = state.get(&path_field) {
            self.path_field(p, &child(at, &path_field), &path_field);
        }
        let Some(v) = state.get(field) else { return };
        let here = child(at, field);
        if let (QueryLanguage::JSONata, Value::String(s)) = (ql, v) {
            if syntax::jsonata_expression(s).is_some() {
                self.jsonata_string(s, &here);
                return;
            }
        }
        if let Err(e) = int_in(v, min, max) {
            self.error("INVALID_VALUE", format!("{field}: {e}"), &here);
        }
    }

    pub(super) fn percentage_field(
        &mut self,
        state: &Map<String, Value>,
        at: &str,
        ql: QueryLanguage,
    ) {
        let field = "ToleratedFailurePercentage";
        let path_field = "ToleratedFailurePercentagePath";
        if state.contains_key(field) && state.contains_key(path_field) {
            self.error_key(
                "EXCLUSIVE_FIELDS",
                format!("A Map state may have only one of '{field}' and '{path_field}'"),
                &child(at, path_field),
            );
        }
        if let Some(p) = state.get(path_field) {
            self.path_field(p, &child(at, path_field), path_field);
        }
        let Some(v) = state.get(field) else { return };
        let here = child(at, field);
        match v {
            Value::String(s)
                if ql == QueryLanguage::JSONata && syntax::jsonata_expression(s).is_some() =>
            {
                self.jsonata_string(s, &here)
            }
            _ => match v.as_f64() {
                Some(f) if (0.0..=100.0).contains(&f) => {}
                _ => self.error(
                    "INVALID_VALUE",
                    format!("{field} must be a number from 0 to 100, not {v}"),
                    &here,
                ),
            },
        }
    }

    pub(super) fn label(&mut self, v: &Value, at: &str) {
        let Value::String(label) = v else {
            self.error(
                "INVALID_TYPE",
                format!("Label must be a string, not {}", type_name(v)),
                at,
            );
            return;
        };
        self.labels
            .entry(label.clone())
            .or_default()
            .push(at.to_string());
        if label.is_empty() {
            self.error("INVALID_LABEL", "Label cannot be empty", at);
            return;
        }
        let chars = label.chars().count();
        if chars > 40 {
            self.error(
                "INVALID_LABEL",
                format!("Label is {chars} characters long; the maximum is 40"),
                at,
            );
        }
        if let Some(c) = label.chars().find(|&c| fields::invalid_label_char(c)) {
            self.error(
                "INVALID_LABEL",
                format!(
                    "Label contains invalid character {c:?}; labels cannot contain whitespace, brackets < > {{ }} [ ], wildcards ? *, the characters \" # % \\ ^ | ~ ` $ & , ; : / or control characters"
                ),
                at,
            );
        }
    }

    /// Fields of ItemReader / ResultWriter: Resource, Parameters or Arguments, a config.
    pub(super) fn io_config(
        &mut self,
        v: &Value,
        at: &str,
        ql: QueryLanguage,
        what: &str,
        config_field: &str,
        usage: ResourceUse,
    ) -> Option<Map<String, Value>> {
        let Value::Object(obj) = v else {
            self.error(
                "INVALID_TYPE",
                format!("{what} must be an object, not {}", type_name(v)),
                at,
            );
            return None;
        };
        match obj.get("Resource") {
            None => self.missing("Resource", what, at),
            Some(Value::String(arn)) => self.resource(arn, &child(at, "Resource"), usage),
            Some(other) => self.error(
                "INVALID_TYPE",
                format!("Resource must be an ARN string, not {}", type_name(other)),
                &child(at, "Resource"),
            ),
        }
        for (key, value) in obj {
            let here = child(at, key);
            match (key.as_str(), ql) {
                ("Resource", _) => {}
                (k, _) if k == config_field => {}
                ("Parameters", QueryLanguage::JSONPath) => self.payload_template(value, &here),
                ("Arguments", QueryLanguage::JSONata) => self.jsonata_template(value, &here),
                ("Parameters" | "Arguments", _) => self.error_key(
                    "FIELD_NOT_SUPPORTED_IN_QUERY_LANGUAGE",
                    format!(
                        "The field '{key}' of {what} is not supported with {}{}",
                        ql.name(),
                        fields::replacement_hint(key, ql)
                    ),
                    &here,
                ),
                _ => self.error_key(
                    "UNKNOWN_FIELD",
                    format!(
                        "Unknown field '{key}' in {what}; expected Resource, {}, {config_field}",
                        if ql == QueryLanguage::JSONPath {
                            "Parameters"
                        } else {
                            "Arguments"
                        }
                    ),
                    &here,
                ),
            }
        }
        match obj.get(config_field) {
            Some(Value::Object(c)) => Some(c.clone()),
            Some(other) => {
                self.error(
                    "INVALID_TYPE",
                    format!("{config_field} must be an object, not {}", type_name(other)),
                    &child(at, config_field),
                );
                None
            }
            None => None,
        }
    }

    pub(super) fn item_reader(&mut self, v: &Value, at: &str, ql: QueryLanguage) {
        let Some(config) = self.io_config(
            v,
            at,
            ql,
            "ItemReader",
            "ReaderConfig",
            ResourceUse::ItemReader,
        ) else {
            return;
        };
        let here = child(at, "ReaderConfig");
        if config.contains_key("MaxItems") && config.contains_key("MaxItemsPath") {
            self.error_key(
                "EXCLUSIVE_FIELDS",
                "ReaderConfig may have only one of 'MaxItems' and 'MaxItemsPath'",
                &child(&here, "MaxItemsPath"),
            );
        }
        for (key, value) in &config {
            let at_f = child(&here, key);
            match key.as_str() {
                "InputType" => match value.as_str() {
                    Some("CSV" | "JSON" | "JSONL" | "MANIFEST" | "PARQUET") => {}
                    _ => self.error(
                        "INVALID_VALUE",
                        format!("InputType must be one of CSV, JSON, JSONL, MANIFEST, PARQUET, not {value}"),
                        &at_f,
                    ),
                },
                "CSVHeaderLocation" => match value.as_str() {
                    Some("FIRST_ROW" | "GIVEN") => {}
                    _ => self.error(
                        "INVALID_VALUE",
                        format!("CSVHeaderLocation must be FIRST_ROW or GIVEN, not {value}"),
                        &at_f,
                    ),
                },
                "MaxItems" => {
                    if let (QueryLanguage::JSONata, Value::String(s)) = (ql, value) {
                        self.jsonata_string(s, &at_f);
                    } else if let Err(e) = int_in(value, 0, 100_000_000) {
                        self.error("INVALID_VALUE", format!("MaxItems: {e}"), &at_f);
                    }
                }
                "MaxItemsPath" => self.path_field(value, &at_f, "MaxItemsPath"),
                "CSVHeaders" => {
                    let strings = value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_string));
                    if !strings {
                        self.error(
                            "INVALID_TYPE",
                            format!("CSVHeaders must be an array of column names (strings), not {value}"),
                            &at_f,
                        );
                    }
                }
                _ => {}
            }
        }
        // With GIVEN, the column names come from the definition, not from the file.
        if config.get("CSVHeaderLocation").and_then(Value::as_str) == Some("GIVEN")
            && !config.contains_key("CSVHeaders")
        {
            self.error_key(
                "MISSING_FIELD",
                "The field 'CSVHeaders' is required in ReaderConfig when CSVHeaderLocation is GIVEN",
                &here,
            );
        }
    }

    pub(super) fn item_batcher(&mut self, v: &Value, at: &str, ql: QueryLanguage) {
        let Value::Object(obj) = v else {
            self.error(
                "INVALID_TYPE",
                format!("ItemBatcher must be an object, not {}", type_name(v)),
                at,
            );
            return;
        };
        for field in ["MaxItemsPerBatch", "MaxInputBytesPerBatch"] {
            let path_field = format!("{field}Path");
            if obj.contains_key(field) && obj.contains_key(&path_field) {
                self.error_key(
                    "EXCLUSIVE_FIELDS",
                    format!("ItemBatcher may have only one of '{field}' and '{path_field}'"),
                    &child(at, &path_field),
                );
            }
        }
        for (key, value) in obj {
            let here = child(at, key);
            match (key.as_str(), ql) {
                ("MaxItemsPerBatch" | "MaxInputBytesPerBatch", _) => {
                    // MaxInputBytesPerBatch is bounded by the 256 KiB payload limit.
                    let max = if key == "MaxInputBytesPerBatch" {
                        262_144
                    } else {
                        i64::from(i32::MAX)
                    };
                    if let (QueryLanguage::JSONata, Value::String(s)) = (ql, value) {
                        self.jsonata_string(s, &here);
                    } else if let Err(e) = int_in(value, 0, max) {
                        self.error("INVALID_VALUE", format!("{key}: {e}"), &here);
                    }
                }
                ("MaxItemsPerBatchPath" | "MaxInputBytesPerBatchPath", QueryLanguage::JSONPath) => {
                    self.path_field(value, &here, key)
                }
                ("BatchInput", QueryLanguage::JSONPath) => self.payload_template(value, &here),
                ("BatchInput", QueryLanguage::JSONata) => self.jsonata_template(value, &here),
                _ => self.error_key(
                    "UNKNOWN_FIELD",
                    format!("Unknown field '{key}' in ItemBatcher; expected MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput{}", if ql == QueryLanguage::JSONPath { ", MaxItemsPerBatchPath, MaxInputBytesPerBatchPath" } else { "" }),
                    &here,
                ),
            }
        }
    }

    pub(super) fn result_writer(&mut self, v: &Value, at: &str, ql: QueryLanguage) {
        let Value::Object(obj) = v else {
            self.error(
                "INVALID_TYPE",
                format!("ResultWriter must be an object, not {}", type_name(v)),
                at,
            );
            return;
        };
        if obj.contains_key("Resource") {
            self.io_config(
                v,
                at,
                ql,
                "ResultWriter",
                "WriterConfig",
                ResourceUse::ResultWriter,
            );
        } else if !obj.contains_key("WriterConfig") {
            self.missing("Resource", "ResultWriter", at);
        }
    }
}
