//! Every diagnostic code has a failing and a passing definition.
//!
//! Data: `tests/validation/rules/<CODE>/<case>/` with
//! - `fail.json` (or `fail.txt` for text that is not valid JSON): validating it as text gives
//!   diagnostics with this code at exactly the pointers listed in `expected.json`, each with
//!   a line/column range and the severity `CODES` gives the code;
//! - `pass.json` (or `pass.txt`): a near-identical definition with no error at all and no
//!   diagnostic with this code;
//! - `expected.json`: `{ "type"?: "EXPRESS", "pad_comment"?: {"fail": bytes, "pass":
//!   bytes}, "diagnostics": [{"path", "message"?}] }` (`message` must occur in the
//!   diagnostic's message; `pad_comment` sets the top-level Comment to that many bytes, for
//!   the size limit).
//!
//! The list of codes comes from `statelab::validate::CODES`; a code without a case, a case
//! for an unknown code, a code used in the source but missing from `CODES`, or a rule that
//! applies in both query languages with cases in only one of them fails the test. A warning's
//! failing definition must have no error: warnings are for definitions AWS accepts.

use serde_json::Value;
use statelab::validate::{
    validate, validate_text, Diagnostic, Languages, MachineType, Severity, ValidateOptions, CODES,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validation/rules")
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The text of `<which>.json` or `<which>.txt` in `dir`, and whether it is meant as JSON.
fn definition_text(dir: &Path, which: &str) -> (String, bool) {
    for (ext, json) in [("json", true), ("txt", false)] {
        let path = dir.join(format!("{which}.{ext}"));
        if let Ok(text) = std::fs::read_to_string(&path) {
            return (text, json);
        }
    }
    panic!("{}: no {which}.json or {which}.txt", dir.display());
}

/// Replaces the top-level Comment by a string that makes the compact text `bytes` long.
fn pad_comment(text: &str, bytes: usize) -> String {
    let mut value: Value = serde_json::from_str(text).expect("a padded definition is JSON");
    value["Comment"] = Value::from("");
    let base = serde_json::to_string(&value).unwrap_or_default().len();
    value["Comment"] = Value::from("x".repeat(bytes.saturating_sub(base)));
    serde_json::to_string(&value).unwrap_or_default()
}

fn uses_jsonata(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| (k == "QueryLanguage" && v == "JSONata") || uses_jsonata(v)),
        Value::Array(items) => items.iter().any(uses_jsonata),
        _ => false,
    }
}

/// How many places differ between two values: a changed scalar, an added or removed key or
/// array element, or a change of type each count once.
fn differences(a: &Value, b: &Value) -> usize {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter()
                .map(|k| match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(p, q),
                    _ => 1,
                })
                .sum()
        }
        (Value::Array(x), Value::Array(y)) => {
            let common: usize = x.iter().zip(y).map(|(p, q)| differences(p, q)).sum();
            common + x.len().abs_diff(y.len())
        }
        _ => usize::from(a != b),
    }
}

/// Pairs must differ in few places, so that the failing one isolates its rule.
const MAX_DIFFERENCES: usize = 3;

fn describe(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("{:?} {} at '{}': {}", d.severity, d.code, d.path, d.message))
        .collect::<Vec<_>>()
        .join("\n      ")
}

fn check_case(code: &str, severity: Severity, dir: &Path) -> Result<bool, String> {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json"))
            .map_err(|e| format!("no expected.json: {e}"))?,
    )
    .map_err(|e| format!("expected.json is not JSON: {e}"))?;
    let options = ValidateOptions {
        machine_type: match expected.get("type").and_then(Value::as_str) {
            Some("EXPRESS") => MachineType::Express,
            _ => MachineType::Standard,
        },
    };
    let (mut fail, fail_is_json) = definition_text(dir, "fail");
    let (mut pass, pass_is_json) = definition_text(dir, "pass");
    if let Some(pad) = expected.get("pad_comment") {
        let bytes = |k: &str| pad.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
        fail = pad_comment(&fail, bytes("fail"));
        pass = pad_comment(&pass, bytes("pass"));
    }
    let wanted: Vec<(String, String)> = expected
        .get("diagnostics")
        .and_then(Value::as_array)
        .ok_or("expected.json has no diagnostics list")?
        .iter()
        .map(|d| {
            (
                d.get("path")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                d.get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    if wanted.is_empty() {
        return Err("expected.json lists no diagnostic".into());
    }

    let mut problems = Vec::new();
    let diags = validate_text(&fail, &options);
    let of_code: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    for (path, message) in &wanted {
        if !of_code
            .iter()
            .any(|d| &d.path == path && d.message.contains(message.as_str()))
        {
            problems.push(format!(
                "fail: no {code} at '{path}' (message containing {message:?})"
            ));
        }
    }
    for d in &of_code {
        if !wanted.iter().any(|(path, _)| *path == d.path) {
            problems.push(format!(
                "fail: unexpected {code} at '{}': {}",
                d.path, d.message
            ));
        }
        if d.severity != severity {
            problems.push(format!(
                "fail: {code} is a {:?}, CODES says {severity:?}",
                d.severity
            ));
        }
        if d.message.trim().is_empty() {
            problems.push(format!("fail: {code} at '{}' has no message", d.path));
        }
        let sized_out = code == "DEFINITION_TOO_LARGE";
        if d.range.is_none() && !sized_out {
            problems.push(format!(
                "fail: {code} at '{}' has no line/column range",
                d.path
            ));
        }
    }
    if severity == Severity::Warning && diags.iter().any(|d| d.severity == Severity::Error) {
        problems.push("fail: a warning's example must have no error".into());
    }
    // The same definition as a value (no spans) gets the same diagnostics for this code.
    if fail_is_json && code != "DUPLICATE_KEY" {
        if let Ok(value) = serde_json::from_str::<Value>(&fail) {
            let mut from_value: Vec<String> = validate(&value, None, &options)
                .into_iter()
                .filter(|d| d.code == code)
                .map(|d| d.path)
                .collect();
            let mut from_text: Vec<String> = of_code.iter().map(|d| d.path.clone()).collect();
            from_value.sort();
            from_text.sort();
            if from_value != from_text {
                problems.push(format!(
                    "fail: as a value {from_value:?}, as text {from_text:?}"
                ));
            }
        }
    }

    let pass_diags = validate_text(&pass, &options);
    let bad: Vec<Diagnostic> = pass_diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error || d.code == code)
        .collect();
    if !bad.is_empty() {
        problems.push(format!("pass: {}", describe(&bad)));
    }

    if fail_is_json && pass_is_json && expected.get("pad_comment").is_none() {
        if let (Ok(f), Ok(p)) = (
            serde_json::from_str::<Value>(&fail),
            serde_json::from_str::<Value>(&pass),
        ) {
            let n = differences(&f, &p);
            if n == 0 || n > MAX_DIFFERENCES {
                problems.push(format!(
                    "fail and pass differ in {n} places; keep them near-identical (1 to {MAX_DIFFERENCES})"
                ));
            }
        }
    }

    if !problems.is_empty() {
        return Err(format!(
            "{}\n      diagnostics of fail:\n      {}",
            problems.join("\n    "),
            describe(&diags)
        ));
    }
    let jsonata = serde_json::from_str::<Value>(&fail)
        .map(|v| uses_jsonata(&v))
        .unwrap_or(false);
    Ok(jsonata)
}

#[test]
fn every_code_has_a_failing_and_a_passing_definition() {
    let mut failures = Vec::new();
    let mut coverage: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let known: BTreeSet<&str> = CODES.iter().map(|c| c.code).collect();
    assert_eq!(known.len(), CODES.len(), "a code is listed twice in CODES");
    for code_dir in subdirs(&rules_dir()) {
        let name = code_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let Some(code) = CODES.iter().find(|c| c.code == name) else {
            failures.push(format!("{}: not a code in CODES", code_dir.display()));
            continue;
        };
        for case in subdirs(&code_dir) {
            match check_case(code.code, code.severity, &case) {
                Ok(jsonata) => {
                    let entry = coverage.entry(code.code).or_default();
                    if jsonata {
                        entry.1 += 1;
                    } else {
                        entry.0 += 1;
                    }
                }
                Err(e) => failures.push(format!("{}:\n    {e}", case.display())),
            }
        }
    }
    for code in CODES {
        let (jsonpath, jsonata) = coverage.get(code.code).copied().unwrap_or_default();
        println!(
            "{:<40} {jsonpath} JSONPath, {jsonata} JSONata case(s)",
            code.code
        );
        let missing = match code.languages {
            Languages::Any if jsonpath + jsonata == 0 => "a case",
            Languages::Both if jsonpath == 0 => "a JSONPath case",
            Languages::Both if jsonata == 0 => "a JSONata case",
            Languages::JSONPath if jsonpath == 0 => "a JSONPath case",
            Languages::JSONata if jsonata == 0 => "a JSONata case",
            _ => continue,
        };
        failures.push(format!(
            "{}: needs {missing} in {}",
            code.code,
            rules_dir().join(code.code).display()
        ));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// String literals in the validator's source that look like codes (`UPPER_CASE_WITH_UNDERSCORES`)
/// but are values of ASL enums rather than diagnostic codes.
const NOT_CODES: &[&str] = &["FIRST_ROW", "GIVEN_ROWS"];

/// Every code the source can emit is in CODES: a new code must be registered (and then
/// needs its cases above).
#[test]
fn every_code_in_the_source_is_registered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![root.join("parse.rs")];
    files.extend(
        std::fs::read_dir(root.join("validate"))
            .expect("src/validate exists")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs")),
    );
    let known: BTreeSet<&str> = CODES.iter().map(|c| c.code).collect();
    let mut unregistered = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // Every stretch between two quotes, so that escaped quotes and '"' char literals
        // cannot shift the pairing; a code-like stretch has no spaces, so only real
        // literals qualify.
        for literal in text.split('"').skip(1) {
            let looks_like_code = literal.contains('_')
                && literal.starts_with(|c: char| c.is_ascii_uppercase())
                && literal
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if looks_like_code && !known.contains(literal) && !NOT_CODES.contains(&literal) {
                unregistered.insert(format!("{literal} ({})", file.display()));
            }
        }
    }
    assert!(
        unregistered.is_empty(),
        "codes used in the source but not in validate::CODES: {unregistered:?}"
    );
}
