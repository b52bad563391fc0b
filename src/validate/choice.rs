//! Choice states: rules in JSONPath (Variable + one operator, And/Or/Not) and in
//! JSONata (Condition).

use super::*;

impl Ctx<'_> {
    pub(super) fn choice(
        &mut self,
        name: &str,
        state: &Map<String, Value>,
        at: &str,
        ql: QueryLanguage,
    ) {
        match state.get("Choices") {
            None => self.missing("Choices", "a Choice state", at),
            Some(Value::Array(rules)) => {
                if rules.is_empty() {
                    self.error(
                        "INVALID_VALUE",
                        "Choices must contain at least one choice rule",
                        &child(at, "Choices"),
                    );
                }
                for (i, rule) in rules.iter().enumerate() {
                    let here = format!("{at}/Choices/{i}");
                    self.choice_rule(rule, &here, ql, true, 1);
                }
            }
            Some(other) => self.error(
                "INVALID_TYPE",
                format!(
                    "Choices must be an array of choice rules, not {}",
                    type_name(other)
                ),
                &child(at, "Choices"),
            ),
        }
        match state.get("Default") {
            None => self.warning_key(
                "CHOICE_WITHOUT_DEFAULT",
                format!("Choice state '{name}' has no Default: when no rule matches, the execution fails with States.NoChoiceMatched"),
                at,
            ),
            Some(d) => self.expect_string(d, &child(at, "Default")),
        }
    }

    pub(super) fn choice_rule(
        &mut self,
        rule: &Value,
        at: &str,
        ql: QueryLanguage,
        top: bool,
        depth: usize,
    ) {
        let Value::Object(rule) = rule else {
            self.error(
                "INVALID_TYPE",
                format!("A choice rule must be an object, not {}", type_name(rule)),
                at,
            );
            return;
        };
        if depth > 64 {
            self.error("NESTING_TOO_DEEP", "Choice rules are nested too deeply", at);
            return;
        }
        if top {
            match rule.get("Next") {
                None => self.missing("Next", "a choice rule", at),
                Some(n) => self.expect_string(n, &child(at, "Next")),
            }
        }
        if ql == QueryLanguage::JSONata {
            for (key, value) in rule {
                let here = child(at, key);
                match key.as_str() {
                    "Next" if top => {}
                    "Comment" => self.expect_string(value, &here),
                    "Condition" => match value {
                        Value::Bool(_) => {}
                        Value::String(s) if syntax::jsonata_expression(s).is_some() => {
                            self.jsonata_string(s, &here)
                        }
                        other => self.error(
                            "INVALID_TYPE",
                            format!("Condition must be a JSONata expression \"{{% ... %}}\" or a boolean, not {other}"),
                            &here,
                        ),
                    },
                    "Output" if top => self.jsonata_template(value, &here),
                    "Assign" if top => self.assign(value, &here, ql),
                    _ => self.error_key(
                        if fields::is_comparison(key) || matches!(key.as_str(), "Variable" | "And" | "Or" | "Not") {
                            "FIELD_NOT_SUPPORTED_IN_QUERY_LANGUAGE"
                        } else {
                            "UNKNOWN_FIELD"
                        },
                        format!("The field '{key}' is not supported in a JSONata choice rule; expected Condition, Next, Output, Assign, Comment"),
                        &here,
                    ),
                }
            }
            if !rule.contains_key("Condition") {
                self.missing("Condition", "a JSONata choice rule", at);
            }
            return;
        }
        let mut operators = Vec::new();
        for (key, value) in rule {
            let here = child(at, key);
            match key.as_str() {
                "Next" if top => {}
                "Assign" if top => self.assign(value, &here, ql),
                "Comment" => self.expect_string(value, &here),
                "Variable" => self.path_field(value, &here, "Variable"),
                "And" | "Or" => {
                    operators.push(key.clone());
                    match value {
                        Value::Array(items) if !items.is_empty() => {
                            for (i, item) in items.iter().enumerate() {
                                self.choice_rule(item, &format!("{here}/{i}"), ql, false, depth + 1);
                            }
                        }
                        _ => self.error(
                            "INVALID_TYPE",
                            format!("{key} must be a non-empty array of choice rules"),
                            &here,
                        ),
                    }
                }
                "Not" => {
                    operators.push(key.clone());
                    self.choice_rule(value, &here, ql, false, depth + 1);
                }
                k if fields::is_comparison(k) => {
                    operators.push(key.clone());
                    self.comparison(k, value, &here);
                }
                "Next" | "Output" | "Assign" => self.error_key(
                    "FIELD_NOT_SUPPORTED",
                    format!("The field '{key}' is only allowed at the top level of a choice rule, not inside And, Or or Not"),
                    &here,
                ),
                "Condition" => self.error_key(
                    "FIELD_NOT_SUPPORTED_IN_QUERY_LANGUAGE",
                    "The field 'Condition' is a JSONata field; JSONPath choice rules use Variable and a comparison operator such as StringEquals",
                    &here,
                ),
                _ => self.error_key(
                    "UNKNOWN_FIELD",
                    format!("Unknown field '{key}' in a choice rule; expected Variable with a comparison operator (StringEquals, NumericLessThan, IsPresent...), or And, Or, Not; plus Next at the top level"),
                    &here,
                ),
            }
        }
        let is_boolean = operators
            .iter()
            .any(|o| matches!(o.as_str(), "And" | "Or" | "Not"));
        match operators.len() {
            0 => self.error_key(
                "INVALID_CHOICE_RULE",
                "A choice rule must have exactly one comparison operator (e.g. StringEquals, NumericGreaterThan, IsPresent) or one of And, Or, Not",
                at,
            ),
            1 => {
                if is_boolean {
                    if rule.contains_key("Variable") {
                        self.error_key(
                            "INVALID_CHOICE_RULE",
                            format!("A choice rule with {} must not have a Variable", operators[0]),
                            &child(at, "Variable"),
                        );
                    }
                } else if !rule.contains_key("Variable") {
                    self.missing("Variable", "a choice rule with a comparison operator", at);
                }
            }
            _ => self.error_key(
                "INVALID_CHOICE_RULE",
                format!(
                    "A choice rule must have exactly one operator, but has {}",
                    operators.join(", ")
                ),
                at,
            ),
        }
    }

    pub(super) fn comparison(&mut self, op: &str, value: &Value, at: &str) {
        let problem = if op.ends_with("Path") {
            match value {
                Value::String(p) => syntax::check_path(p, ANY_ROOT)
                    .err()
                    .map(|e| format!("'{p}' is not a valid path: {e}")),
                other => Some(format!("expected a path string, got {}", type_name(other))),
            }
        } else if op.starts_with("String") {
            (!value.is_string()).then(|| format!("expected a string, got {}", type_name(value)))
        } else if op.starts_with("Numeric") {
            (!value.is_number()).then(|| format!("expected a number, got {}", type_name(value)))
        } else if op.starts_with("Timestamp") {
            match value {
                Value::String(s) => syntax::check_timestamp(s).err(),
                other => Some(format!(
                    "expected a timestamp string, got {}",
                    type_name(other)
                )),
            }
        } else {
            // BooleanEquals and the Is* operators
            (!value.is_boolean())
                .then(|| format!("expected true or false, got {}", type_name(value)))
        };
        if let Some(p) = problem {
            self.error("INVALID_VALUE", format!("{op}: {p}"), at);
            return;
        }
        // `"StringEquals": "$.expected"` compares with that text, not with the value there.
        if let Value::String(text) = value {
            if !op.ends_with("Path") && op != "StringMatches" && looks_like_path(text) {
                self.warning(
                    "MISSING_PATH_SUFFIX",
                    format!("{op} compares with the literal text '{text}'; to compare with the value at that path, use {op}Path"),
                    at,
                );
            }
        }
    }
}
