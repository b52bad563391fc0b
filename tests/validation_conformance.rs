//! Validation conformance: our verdicts against AWS's (validation/aws), against the
//! asl-validator and statelint fixtures, against the 758 definitions AWS accepted and ran
//! (asl/), and the data-driven cases of tests/data/validate/.
//!
//! The corpus is at `$STATELAB_CONFORMANCE` or `<CARGO_MANIFEST_DIR>/../shared/conformance`;
//! when it is absent the corpus tests print a note and pass (the data cases still run).
//! Agreement floors only rise: set them to what is reached.

use serde_json::Value;
use statelab::validate::{
    has_errors, validate, validate_text, Diagnostic, MachineType, Severity, ValidateOptions,
};
use std::path::{Path, PathBuf};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("STATELAB_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance"));
    dir.is_dir().then_some(dir)
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn options(case: &Value) -> ValidateOptions {
    let machine_type = match case.get("state_machine_type").and_then(Value::as_str) {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    };
    ValidateOptions { machine_type }
}

/// Validates a case's `definition_text` (as text) or `definition` (as a value).
fn run_case(case: &Value) -> Vec<Diagnostic> {
    let options = options(case);
    match case.get("definition_text").and_then(Value::as_str) {
        Some(text) => validate_text(text, &options),
        None => validate(
            case.get("definition").unwrap_or(&Value::Null),
            None,
            &options,
        ),
    }
}

/// The locations AWS names in its verdict: `... at /States/X/Next'` in messages, or the
/// `location` of ValidateStateMachineDefinition diagnostics.
fn aws_locations(expected: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(message) = expected.get("message").and_then(Value::as_str) {
        let mut rest = message;
        while let Some(i) = rest.find(" at /") {
            let tail = &rest[i + 4..];
            let end = tail.find(['\'', ',']).unwrap_or(tail.len());
            out.push(tail[..end].trim_end().to_string());
            rest = &tail[end..];
        }
    }
    if let Some(Value::Array(diags)) = expected.get("diagnostics") {
        for d in diags {
            if let Some(loc) = d.get("location").and_then(Value::as_str) {
                if loc.starts_with('/') {
                    out.push(loc.to_string());
                }
            }
        }
    }
    out
}

/// AWS writes `/` for the root and `Choices[0]` for array elements.
fn normalise_location(loc: &str) -> String {
    let loc = loc.replace('[', "/").replace(']', "");
    if loc == "/" {
        String::new()
    } else {
        loc
    }
}

fn located(diags: &[Diagnostic], loc: &str) -> bool {
    let loc = normalise_location(loc);
    diags.iter().any(|d| {
        d.severity == Severity::Error
            && (d.path == loc
                || d.path.starts_with(&format!("{loc}/"))
                || (loc.starts_with(&format!("{}/", d.path)) && !d.path.is_empty()))
    })
}

struct Tally {
    name: &'static str,
    total: usize,
    agree: usize,
    /// Listed disagreements where AWS is known to differ from the tool (we follow AWS).
    aws_differs: usize,
    /// Listed disagreements where the tool rejects without evidence that AWS does.
    unproven: usize,
    disagreements: Vec<String>,
    /// Cases listed in KNOWN_DISAGREEMENTS that now agree (the entry should go).
    stale: Vec<String>,
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl Tally {
    /// Raw agreement with the tool's verdicts.
    fn percent(&self) -> f64 {
        ratio(self.agree, self.total)
    }

    /// Agreement on the cases where AWS is not known to differ from the tool.
    fn percent_excluding_aws_differences(&self) -> f64 {
        ratio(self.agree, self.total - self.aws_differs)
    }

    /// Whether every disagreement is listed in KNOWN_DISAGREEMENTS.
    fn all_listed(&self) -> bool {
        self.agree + self.aws_differs + self.unproven == self.total
    }

    fn report(&self) {
        println!(
            "validation/{}: raw {}/{} verdicts agree ({:.1}%); excluding {} documented AWS differences {}/{} ({:.1}%); {} listed as unproven",
            self.name,
            self.agree,
            self.total,
            self.percent(),
            self.aws_differs,
            self.agree,
            self.total - self.aws_differs,
            self.percent_excluding_aws_differences(),
            self.unproven,
        );
        for d in &self.disagreements {
            println!("  DISAGREE {d}");
        }
    }
}

fn summary(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} at {}: {}", d.code, d.path, d.message))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Cases where our verdict differs from the tool that wrote the fixture's verdict, each
/// with the evidence for our verdict. `AwsDiffers`: AWS is known to decide otherwise than
/// the tool (we follow AWS). `Unproven`: the tool rejects something for which there is no
/// evidence that AWS rejects it; since `StateMachine` must not refuse what AWS accepts, we
/// accept it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Why {
    AwsDiffers(&'static str),
    Unproven(&'static str),
}

/// Evidence that AWS rejects a Task Resource that is not an ARN it knows: in validation/aws,
/// `v2/services/test_dynamodb_task_service.py::TestTaskServiceDynamoDB::test_invalid_integration`
/// is refused with "The resource provided ... is not recognized. The value is not a valid
/// resource ARN" even for an `arn:` string; ValidateStateMachineDefinition documents the
/// error code INVALID_RESOURCE ("The value of a Task-state resource field is invalid",
/// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html);
/// and none of the 758 definitions AWS created and ran (asl/) has a Resource that is not
/// an `arn:` ARN. statelint checks only that Resource is a URI, so its fixtures use `foo:bar`.
const NOT_AN_ARN: Why = Why::AwsDiffers(
    "Resource 'foo:bar' is not an ARN; AWS rejects it (validation/aws test_invalid_integration; INVALID_RESOURCE in the ValidateStateMachineDefinition API reference)",
);

const KNOWN_DISAGREEMENTS: &[(&str, Why)] = &[
    ("statelint/backoff-with-backoffrate-integer.json", NOT_AN_ARN),
    ("statelint/states-array-invocation.json", NOT_AN_ARN),
    ("statelint/states-encoding-decoding-intrinsic-functions.json", NOT_AN_ARN),
    ("statelint/states-format-invocation.json", NOT_AN_ARN),
    ("statelint/states-hash-intrinsic-functions.json", NOT_AN_ARN),
    ("statelint/states-jsontostring-invocation.json", NOT_AN_ARN),
    ("statelint/states-math-intrinsic-functions.json", NOT_AN_ARN),
    ("statelint/states-string-intrinsic-functions.json", NOT_AN_ARN),
    ("statelint/states-stringtojson-invocation.json", NOT_AN_ARN),
    ("statelint/task-with-dynamic-timeouts.json", NOT_AN_ARN),
    ("statelint/task-with-parameters.json", NOT_AN_ARN),
    ("statelint/states-uuid-intrinsic-functions.json", NOT_AN_ARN),
    (
        "statelint/task-with-credentials.json",
        Why::AwsDiffers(
            "Resource 'foo:bar' is not an ARN (see NOT_AN_ARN), and AWS requires Credentials.RoleArn, spelled so: validation/aws \
             v2/credentials/test_credentials_base.py::TestCredentialsBase::test_invalid_credentials_field[EMPTY_CREDENTIALS] \
             (SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is required but was missing at /States/State0/Credentials); the fixture has 'roleArn'",
        ),
    ),
    (
        "asl-validator/valid-cfn-definition-substitutions.json",
        Why::AwsDiffers(
            "'${lambdaArn}' is a CloudFormation DefinitionSubstitutions placeholder; CreateStateMachine sees it only after \
             substitution, and sent as is it is not an ARN (see NOT_AN_ARN)",
        ),
    ),
    (
        "asl-validator/valid-task-credentials.json",
        Why::AwsDiffers(
            "Credentials without RoleArn: validation/aws EMPTY_CREDENTIALS case (SCHEMA_VALIDATION_FAILED: The field 'RoleArn' is required)",
        ),
    ),
    (
        "asl-validator/valid-assign.asl.json",
        Why::AwsDiffers(
            "'top-level' is not a variable name: AWS's variable names are identifiers (Unicode ID_Start then ID_Continue, \
             at most 80; https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, 'Variable name syntax'), \
             and '$top-level' could not be referenced (JSONata reads it as $top - level)",
        ),
    ),
    (
        "asl-validator/invalid-jsonata-surround-syntax-no-open.json",
        Why::Unproven(
            "Output '10 %}' does not start with '{%', so in a JSONata state it is a literal string; asl-validator rejects any \
             string ending in '%}' by its own heuristic, and no AWS verdict says otherwise",
        ),
    ),
    (
        "asl-validator/invalid-jsonata-surround-syntax-no-spaces.json",
        Why::Unproven(
            "'{%10%}' is delimited by '{%' and '%}'; asl-validator's regex demands a space inside the delimiters, and no AWS \
             verdict or document says AWS does (every expression in the corpus happens to have the spaces)",
        ),
    ),
];

fn tally(corpus: &Path, name: &'static str, check_locations: bool) -> Tally {
    let mut t = Tally {
        name,
        total: 0,
        agree: 0,
        aws_differs: 0,
        unproven: 0,
        disagreements: Vec::new(),
        stale: Vec::new(),
    };
    for file in json_files(&corpus.join("validation").join(name)) {
        let case = read_json(&file);
        let case_name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let expected = case.get("expected").cloned().unwrap_or(Value::Null);
        let Some(expected_valid) = expected.get("valid").and_then(Value::as_bool) else {
            continue;
        };
        t.total += 1;
        let diags = run_case(&case);
        let valid = !has_errors(&diags);
        let known = KNOWN_DISAGREEMENTS
            .iter()
            .find(|(n, _)| *n == case_name)
            .map(|(_, why)| *why);
        if valid != expected_valid {
            let detail = if valid {
                format!(
                    "expected invalid ({}), we accept",
                    expected
                        .get("message")
                        .or_else(|| expected.get("diagnostics"))
                        .or_else(|| expected.get("message_fragments"))
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                )
            } else {
                format!("expected valid, we reject: {}", summary(&diags))
            };
            match known {
                Some(Why::AwsDiffers(why)) => {
                    t.aws_differs += 1;
                    t.disagreements
                        .push(format!("{case_name} [AWS differs: {why}]: {detail}"))
                }
                Some(Why::Unproven(why)) => {
                    t.unproven += 1;
                    t.disagreements
                        .push(format!("{case_name} [unproven: {why}]: {detail}"))
                }
                None => t.disagreements.push(format!("{case_name}: {detail}")),
            }
            continue;
        }
        if known.is_some() {
            t.stale.push(case_name.clone());
        }
        if check_locations && !valid {
            let missing: Vec<String> = aws_locations(&expected)
                .into_iter()
                .filter(|loc| !located(&diags, loc))
                .collect();
            if !missing.is_empty() {
                t.disagreements.push(format!(
                    "{case_name}: rejected, but no error at AWS's location(s) {missing:?}; ours: {}",
                    summary(&diags)
                ));
                continue;
            }
        }
        t.agree += 1;
    }
    t
}

#[test]
fn aws_verdicts() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    let t = tally(&corpus, "aws", true);
    t.report();
    assert!(t.percent() >= 100.0, "agreement on validation/aws fell");
}

#[test]
fn asl_validator_verdicts() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    let t = tally(&corpus, "asl-validator", false);
    t.report();
    assert!(
        t.percent() >= 94.0,
        "agreement on validation/asl-validator fell"
    );
    assert!(t.all_listed(), "an undocumented disagreement appeared");
    assert!(t.stale.is_empty(), "listed but agreeing: {:?}", t.stale);
}

#[test]
fn statelint_verdicts() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    let t = tally(&corpus, "statelint", false);
    t.report();
    // Raw agreement is low because statelint accepts 'foo:bar' as a Task Resource and AWS
    // does not (NOT_AN_ARN): 13 of its 54 fixtures use it in a definition meant as valid.
    assert!(
        t.percent() >= 75.0,
        "agreement on validation/statelint fell"
    );
    assert!(
        t.percent_excluding_aws_differences() >= 100.0,
        "a disagreement where AWS does not differ appeared"
    );
    assert!(t.all_listed(), "an undocumented disagreement appeared");
    assert!(t.stale.is_empty(), "listed but agreeing: {:?}", t.stale);
}

/// statelint's fixtures write `foo:bar` where any Task Resource would do: its rules never
/// look at the Resource beyond "is a URI". With that placeholder swapped for a real Lambda
/// ARN (and nothing else changed), the fixtures test what they were written to test, and
/// our verdict must agree with statelint's on at least 90% of them.
#[test]
fn statelint_verdicts_with_real_resource_arns() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    let mut total = 0;
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for file in json_files(&corpus.join("validation").join("statelint")) {
        let mut case = read_json(&file);
        let Some(expected_valid) = case.pointer("/expected/valid").and_then(Value::as_bool) else {
            continue;
        };
        total += 1;
        if let Some(definition) = case.get_mut("definition") {
            replace_placeholder_resources(definition);
        }
        let valid = !has_errors(&run_case(&case));
        if valid == expected_valid {
            agree += 1;
        } else {
            disagreements.push(case.get("name").cloned().unwrap_or(Value::Null));
        }
    }
    println!(
        "validation/statelint with the 'foo:bar' placeholder Resource replaced by a Lambda ARN: {agree}/{total} verdicts agree ({:.1}%); disagreeing: {disagreements:?}",
        ratio(agree, total)
    );
    assert!(total > 0, "no statelint cases found");
    assert!(
        ratio(agree, total) >= 90.0,
        "agreement on statelint (real ARNs) below 90%"
    );
}

/// Replaces every `"Resource": "foo:bar"` (statelint's placeholder) in a definition.
fn replace_placeholder_resources(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "Resource" && child.as_str() == Some("foo:bar") {
                    *child = Value::String(
                        "arn:aws:lambda:us-east-1:123456789012:function:placeholder".into(),
                    );
                } else {
                    replace_placeholder_resources(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(replace_placeholder_resources),
        _ => {}
    }
}

/// Every definition in asl/ was created and run on AWS: none may get an error.
#[test]
fn aws_executed_definitions_are_valid() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    let mut rejected = Vec::new();
    let files = json_files(&corpus.join("asl"));
    for file in &files {
        let case = read_json(file);
        let diags = run_case(&case);
        if has_errors(&diags) {
            rejected.push(format!(
                "{}: {}",
                case.get("name").and_then(Value::as_str).unwrap_or_default(),
                summary(&diags)
            ));
        }
    }
    println!(
        "asl/: {} of {} AWS-accepted definitions pass",
        files.len() - rejected.len(),
        files.len()
    );
    for r in &rejected {
        println!("  REJECTED {r}");
    }
    assert!(
        rejected.is_empty(),
        "{} AWS-accepted definitions rejected",
        rejected.len()
    );
}

/// tests/data/validate/*.json: `{definition | text, type?, comment?, expected: [{code,
/// path, severity?, range?, message?}]}`. The diagnostics must be exactly the expected
/// ones (warnings included), in any order; `range` is checked when given and `message`
/// must occur in the diagnostic's message. Adding a case needs no code; `UPDATE_GOLDEN=1`
/// rewrites `expected` from the actual diagnostics (read the diff before committing).
#[test]
fn data_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/validate");
    let mut failures = Vec::new();
    let files = json_files(&dir);
    assert!(!files.is_empty(), "no cases in {}", dir.display());
    for file in &files {
        let case = read_json(file);
        let options = ValidateOptions {
            machine_type: match case.get("type").and_then(Value::as_str) {
                Some("EXPRESS") => MachineType::Express,
                _ => MachineType::Standard,
            },
        };
        let diags = match case.get("text").and_then(Value::as_str) {
            Some(text) => validate_text(text, &options),
            None => validate(
                case.get("definition").unwrap_or(&Value::Null),
                None,
                &options,
            ),
        };
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            write_golden(file, &case, &diags);
            continue;
        }
        let expected = case
            .get("expected")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut unmatched: Vec<&Diagnostic> = diags.iter().collect();
        let mut problems = Vec::new();
        for e in &expected {
            let code = e.get("code").and_then(Value::as_str).unwrap_or_default();
            let path = e.get("path").and_then(Value::as_str).unwrap_or_default();
            let severity = e.get("severity").and_then(Value::as_str).unwrap_or("error");
            let range = e.get("range");
            let message = e.get("message").and_then(Value::as_str).unwrap_or("");
            let found = unmatched.iter().position(|d| {
                d.code == code
                    && d.message.contains(message)
                    && d.path == path
                    && serde_json::to_value(d.severity).ok() == Some(Value::from(severity))
                    && range.is_none_or(|r| serde_json::to_value(d.range).ok().as_ref() == Some(r))
            });
            match found {
                Some(i) => {
                    unmatched.remove(i);
                }
                None => problems.push(format!(
                    "missing {severity} {code} at '{path}' {}",
                    range.map(|r| r.to_string()).unwrap_or_default()
                )),
            }
        }
        for d in unmatched {
            problems.push(format!(
                "unexpected {:?} {} at '{}' {}: {}",
                d.severity,
                d.code,
                d.path,
                serde_json::to_string(&d.range).unwrap_or_default(),
                d.message
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{}:\n    {}",
                file.display(),
                problems.join("\n    ")
            ));
        }
    }
    println!("tests/data/validate: {} cases", files.len());
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The light JSONata check must not reject expressions that JSONata 2.0.6 parses: every
/// case of the reference suite that does not expect a syntax error (S0xxx) is a parsable
/// expression. (Top-level references are legal JSONata; that AWS rule is not applied.)
#[test]
fn jsonata_light_check_accepts_parsable_expressions() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    let path = corpus.join("jsonata/jsonata-2.0.6.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("{} not found; skipping", path.display());
        return;
    };
    let (mut parsable, mut rejected, mut syntax_errors, mut caught) = (0, Vec::new(), 0, 0);
    for line in text.lines() {
        let Ok(case) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let Some(expr) = case.get("expr").and_then(Value::as_str) else {
            continue;
        };
        let code = case
            .pointer("/expected/code")
            .and_then(Value::as_str)
            .unwrap_or("");
        let verdict = statelab::validate::check_jsonata(expr);
        if code.starts_with("S0") {
            syntax_errors += 1;
            caught += usize::from(verdict.is_some());
        } else {
            parsable += 1;
            if let Some(e) = verdict {
                rejected.push(format!("{}: {expr:?}: {e}", case["name"]));
            }
        }
    }
    println!(
        "jsonata light check: {} of {parsable} parsable expressions accepted; {caught} of {syntax_errors} syntax errors caught",
        parsable - rejected.len()
    );
    for r in &rejected {
        println!("  WRONGLY REJECTED {r}");
    }
    assert!(
        rejected.is_empty(),
        "{} parsable expressions rejected",
        rejected.len()
    );
}

/// No input makes validation panic: truncated and mutated texts of real definitions, and
/// definitions whose strings are replaced by tricky path/intrinsic/JSONata fragments.
#[test]
fn no_panics_on_mutated_definitions() {
    let Some(corpus) = corpus_dir() else {
        println!("conformance corpus not found; skipping");
        return;
    };
    const TRICKY: &[&str] = &[
        "",
        "$",
        "$$",
        "$[",
        "$.a[?(@.x",
        "$['",
        "$.a[1:",
        "$..",
        "$.a(",
        "States.",
        "States.Format(",
        "States.Format('\\",
        "States.Array(States.Array(",
        "{%",
        "{% %}",
        "{% ( %}",
        "{% '",
        "{% /",
        "{% function($x)< %}",
        "{% | %}",
        "{% `a %}",
        "2016-02-30T00:00:00Z",
        "arn:",
        "arn:aws:states:::",
        "arn:aws:states:::aws-sdk:",
        "arn:aws:lambda:::function:",
        "é",
        "\u{1F600}",
        "\\",
        "%}",
    ];
    let options = ValidateOptions::default();
    let files = json_files(&corpus.join("asl"));
    for (n, file) in files.iter().enumerate().step_by(7) {
        let case = read_json(file);
        let Some(definition) = case.get("definition") else {
            continue;
        };
        let text = serde_json::to_string_pretty(definition).unwrap_or_default();
        let chars: Vec<char> = text.chars().collect();
        let step = (chars.len() / 40).max(1);
        for cut in (0..chars.len()).step_by(step) {
            let truncated: String = chars[..cut].iter().collect();
            let _ = validate_text(&truncated, &options);
            let replacement =
                ['{', '}', '[', ']', ':', ',', '"', '\\', 'x', '\u{e9}'][(cut + n) % 10];
            let mut mutated = chars.clone();
            mutated[cut] = replacement;
            let mutated: String = mutated.into_iter().collect();
            let _ = validate_text(&mutated, &options);
        }
        for (i, tricky) in TRICKY.iter().enumerate() {
            let mut value = definition.clone();
            replace_strings(&mut value, tricky, i);
            let _ = validate(&value, None, &options);
        }
    }
}

/// Replaces every `k`-th string (keys ending in `.$` and ordinary values) by `with`.
fn replace_strings(value: &mut Value, with: &str, k: usize) {
    let mut count = 0usize;
    let mut todo = vec![value];
    while let Some(v) = todo.pop() {
        match v {
            Value::String(s) => {
                count += 1;
                if count % (k % 3 + 1) == 0 {
                    *s = with.to_string();
                }
            }
            Value::Array(items) => todo.extend(items.iter_mut()),
            Value::Object(map) => todo.extend(map.values_mut()),
            _ => {}
        }
    }
}

fn write_golden(file: &Path, case: &Value, diags: &[Diagnostic]) {
    let mut case = case.clone();
    let has_text = case.get("text").is_some();
    let expected: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut e = serde_json::Map::new();
            e.insert("code".into(), Value::from(d.code.as_str()));
            e.insert("path".into(), Value::from(d.path.as_str()));
            if d.severity == Severity::Warning {
                e.insert("severity".into(), Value::from("warning"));
            }
            if has_text {
                if let Ok(range) = serde_json::to_value(d.range) {
                    e.insert("range".into(), range);
                }
            }
            Value::Object(e)
        })
        .collect();
    if let Some(obj) = case.as_object_mut() {
        obj.insert("expected".into(), Value::Array(expected));
    }
    let text = serde_json::to_string_pretty(&case).unwrap_or_default() + "\n";
    std::fs::write(file, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
}
