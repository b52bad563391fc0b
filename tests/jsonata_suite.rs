//! Runs the JSONata 2.0.6 reference suite (../shared/conformance/jsonata) against our
//! engine. Comparison rules: ../shared/conformance/CHECKER.md. Prints per-group counts and
//! the failures; fails if the pass count drops below the floor.

use serde_json::Value;
use statelab::exec::rng::Rng;
use statelab::jsonata::{compile, Host, Limits};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Raise this as the engine improves (never lower it).
const PASS_FLOOR: usize = 1221;

fn suite_dir() -> PathBuf {
    match std::env::var("STATELAB_CONFORMANCE") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"),
    }
}

fn num_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || ((x - y) / x.abs().max(y.abs())).abs() < 1e-15
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| num_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| num_eq(v, w)))
        }
        _ => a == b,
    }
}

enum Outcome {
    Pass,
    Fail(String),
}

fn run_case(case: &Value) -> Outcome {
    let expr = case["expr"].as_str().unwrap_or_default();
    let data = if case.get("data_undefined").and_then(Value::as_bool) == Some(true) {
        None
    } else {
        case.get("data").cloned()
    };
    let bindings = case["bindings"].as_object().cloned().unwrap_or_default();
    let mut limits = Limits::default();
    if let Some(d) = case.get("depth").and_then(Value::as_u64) {
        limits.max_depth = d as usize;
    }
    let expected = &case["expected"];
    let mut rng = Rng::new(42);
    let mut host = Host {
        now_millis: 1_700_000_000_000,
        rng: &mut rng,
        aws_functions: false,
    };
    let result =
        compile(expr).and_then(|e| e.evaluate(data.as_ref(), &bindings, &mut host, &limits));
    let got = match &result {
        Ok(Some(v)) => format!("result {}", v),
        Ok(None) => "undefined".to_string(),
        Err(e) => format!(
            "error {} (pos {:?}, token {:?}): {}",
            e.code, e.position, e.token, e.message
        ),
    };
    let ok = if let Some(r) = expected.get("result") {
        matches!(&result, Ok(Some(v)) if num_eq(v, r))
    } else if expected.get("undefined").is_some() {
        matches!(&result, Ok(None))
    } else if let Some(code) = expected.get("code").and_then(Value::as_str) {
        match &result {
            Err(e) => {
                e.code == code
                    && expected
                        .get("token")
                        .and_then(Value::as_str)
                        .map(|t| e.token.as_deref() == Some(t))
                        .unwrap_or(true)
            }
            _ => false,
        }
    } else if let Some(err) = expected.get("error").and_then(Value::as_object) {
        match &result {
            Err(e) => err.iter().all(|(k, v)| match k.as_str() {
                "code" => v.as_str() == Some(e.code.as_str()),
                "token" => v.as_str() == e.token.as_deref(),
                "message" => v.as_str() == Some(e.message.as_str()),
                "position" => v.as_u64() == e.position.map(|p| p as u64),
                _ => true,
            }),
            _ => false,
        }
    } else {
        false
    };
    if ok {
        Outcome::Pass
    } else {
        let mut want = expected.to_string();
        want.truncate(300);
        let mut got = got;
        got.truncate(300);
        Outcome::Fail(format!("expected {want}\n      got {got}"))
    }
}

#[test]
fn jsonata_reference_suite() {
    let file = suite_dir().join("jsonata/jsonata-2.0.6.jsonl");
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) => panic!(
            "JSONata suite not found at {} ({e}); set STATELAB_CONFORMANCE to the conformance directory",
            file.display()
        ),
    };
    let filter = std::env::var("JSONATA_CASE").ok();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut groups: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = vec![];
    let (mut pass, mut fail, mut skip) = (0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = match serde_json::from_str(line) {
            Ok(c) => c,
            Err(e) => {
                // e.g. a lone surrogate (\ud800), which a Rust string cannot hold
                let name = line
                    .split("\"name\": \"")
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or("?");
                println!("skipped {name}: cannot be represented ({e})");
                skip += 1;
                let group = name.split('/').next().unwrap_or("?").to_string();
                groups.entry(group).or_default().2 += 1;
                continue;
            }
        };
        let name = case["name"].as_str().unwrap_or("?").to_string();
        if let Some(f) = &filter {
            if !name.contains(f.as_str()) {
                continue;
            }
        }
        let group = case["group"].as_str().unwrap_or("?").to_string();
        if std::env::var("JSONATA_TRACE").is_ok() {
            eprintln!("{name}");
        }
        let entry = groups.entry(group).or_default();
        let outcome = std::panic::catch_unwind(|| run_case(&case))
            .unwrap_or_else(|_| Outcome::Fail("panicked".into()));
        match outcome {
            Outcome::Pass => {
                pass += 1;
                entry.0 += 1;
            }
            Outcome::Fail(why) => {
                fail += 1;
                entry.1 += 1;
                failures.push(format!("{name}: {}\n      {why}", case["expr"]));
            }
        }
    }
    std::panic::set_hook(default_hook);
    println!("group: passed/failed/skipped");
    for (g, (p, f, s)) in &groups {
        println!("  {g}: {p}/{f}/{s}");
    }
    println!("failures:");
    for f in &failures {
        println!("  {f}");
    }
    println!(
        "JSONata suite: {pass} passed, {fail} failed, {skip} skipped of {}",
        pass + fail + skip
    );
    assert!(
        pass >= PASS_FLOOR,
        "pass count {pass} is below the floor {PASS_FLOOR}"
    );
}

/// Differential testing aid: evaluates each case of `$JSONATA_DUMP_IN` (JSON lines with
/// name, expr, data, data_undefined, bindings) and writes results or errors (code,
/// position, token, message) to `$JSONATA_DUMP_OUT`, in the shape of a jsonata-js run.
#[test]
#[ignore]
fn dump_results() {
    let (input, output) = match (
        std::env::var("JSONATA_DUMP_IN"),
        std::env::var("JSONATA_DUMP_OUT"),
    ) {
        (Ok(i), Ok(o)) => (i, o),
        _ => return,
    };
    let text = std::fs::read_to_string(input).unwrap_or_default();
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = match serde_json::from_str(line) {
            Ok(c) => c,
            Err(_) => continue,
        };
        let data = if case["data_undefined"].as_bool() == Some(true) {
            None
        } else {
            case.get("data").cloned()
        };
        let bindings = case["bindings"].as_object().cloned().unwrap_or_default();
        let mut rng = Rng::new(42);
        let mut host = Host {
            now_millis: 1_700_000_000_000,
            rng: &mut rng,
            aws_functions: std::env::var("JSONATA_DUMP_AWS").is_ok(),
        };
        let expr = case["expr"].as_str().unwrap_or_default();
        if std::env::var("JSONATA_TRACE").is_ok() {
            eprintln!("{expr}");
        }
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            compile(expr)
                .and_then(|e| e.evaluate(data.as_ref(), &bindings, &mut host, &Limits::default()))
        }));
        let mut o = serde_json::Map::new();
        o.insert("name".into(), case["name"].clone());
        match r {
            Ok(Ok(Some(v))) => {
                o.insert("result".into(), v);
            }
            Ok(Ok(None)) => {
                o.insert("undefined".into(), Value::Bool(true));
            }
            Ok(Err(e)) => {
                o.insert("code".into(), Value::String(e.code));
                if let Some(p) = e.position {
                    o.insert("position".into(), Value::from(p));
                }
                if let Some(t) = e.token {
                    o.insert("token".into(), Value::String(t));
                }
                o.insert("message".into(), Value::String(e.message));
            }
            Err(_) => {
                o.insert("code".into(), Value::String("PANIC".into()));
            }
        }
        out.push_str(&Value::Object(o).to_string());
        out.push('\n');
    }
    std::fs::write(output, out).unwrap_or_default();
}
