//! Unit tests of the syntax helpers; the rules themselves are tested as data in
//! tests/data/validate/ (see tests/validation_conformance.rs).

use super::syntax::*;

#[test]
fn paths() {
    for ok in [
        "$",
        "$.a",
        "$.a.b[0]",
        "$..x",
        "$.a[*]",
        "$.a[1:3]",
        "$['a b']",
        "$.a[?(@.x > 1)]",
        "$.a.length()",
        "$$",
        "$$.Execution.Id",
        "$var",
        "$var.x",
        "$.a[-1]",
        "$.a[0,1]",
    ] {
        assert!(
            check_path(ok, ANY_ROOT).is_ok(),
            "{ok}: {:?}",
            check_path(ok, ANY_ROOT)
        );
    }
    for bad in [
        "", ".guid", "..guid", "()", "bug$.x", "$.", "$$23", "$.a[", "$.a[x]", "$ .a",
    ] {
        assert!(check_path(bad, ANY_ROOT).is_err(), "{bad}");
    }
    let no_var = PathRoots {
        context: false,
        variables: false,
    };
    assert!(check_reference_path("$.a.b[0]", no_var).is_ok());
    assert!(check_reference_path("$foo", no_var).is_err());
    assert!(check_reference_path("$.a[*]", no_var).is_err());
    assert!(check_reference_path("$..a", no_var).is_err());
}

#[test]
fn intrinsics() {
    for ok in [
        "States.Format('{} xyz {}', $.a, 'def')",
        "States.Array('Foo', $.xyz, 'Bar', 2.3)",
        "States.UUID()",
        "States.MathAdd($.a, -1)",
        "States.Format('a\\'b\\{\\}')",
        "States.StringToJson(States.JsonToString($.x))",
        "States.ArrayGetItem($.a, States.MathAdd($.i, 1))",
    ] {
        assert!(
            check_intrinsic(ok).is_ok(),
            "{ok}: {:?}",
            check_intrinsic(ok)
        );
    }
    for bad in [
        "States.Xyz($.a)",
        " States.Array(1)",
        "States.MathAdd(1,'-1')",
        "States.Format('He said, \\\"Hello\\\"')",
        "States.UUID(1)",
        "States.Format(",
        "States.Array(1))",
    ] {
        assert!(check_intrinsic(bad).is_err(), "{bad}");
    }
}

#[test]
fn timestamps() {
    for ok in [
        "2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00.123+01:00",
        "2016-02-29T00:00:00Z",
    ] {
        assert!(check_timestamp(ok).is_ok(), "{ok}");
    }
    for bad in [
        "2016-13-05T21:29:29Z",
        "2016-12-05 21:29:29Z",
        "05-12-2016T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "2016-12-05T21:29:29",
        "2015-02-29T00:00:00Z",
    ] {
        assert!(check_timestamp(bad).is_err(), "{bad}");
    }
}

#[test]
fn jsonata_light() {
    for ok in [
        "$states.input.a",
        "$sum($states.input.items)",
        "10",
        "$x ? 'a' : 'b'",
        "{'a': [1, 2, 3][0]}",
        "$map($x, function($v) { $v * 2 })",
        "$not(null in $each($states.input.data.address, function($v) { $length($trim($v)) > 0 ? $v : null }))",
        "($a := 1; $a + 1)",
        "foo.*",
        "$states.input.items[price > 10].name",
        "-1",
        "[]",
        "/ab+c/i",
        "$x / 2",
    ] {
        assert!(check_jsonata_light(ok).is_ok(), "{ok}: {:?}", check_jsonata_light(ok));
    }
    for bad in [
        " 420. ",
        "10 + * 2",
        "$.store.book[?(@.price < 10)].title",
        "$sum($states.input.items.numbers ",
        "",
        "'unterminated",
        "(1 +)",
        "a b",
    ] {
        assert!(check_jsonata_light(bad).is_err(), "{bad}");
    }
}

#[test]
fn single_state() {
    use super::{validate_state, ValidateOptions};
    let state = serde_json::json!({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Elsewhere"}], "Next": "Later"
    });
    assert_eq!(
        validate_state(&state, None, &ValidateOptions::default()),
        vec![]
    );
    let state = serde_json::json!({"Type": "Pass", "Parameters": {"a.$": "nope"}, "End": true});
    let codes: Vec<String> = validate_state(&state, None, &ValidateOptions::default())
        .into_iter()
        .map(|d| format!("{} {}", d.code, d.path))
        .collect();
    assert_eq!(codes, vec!["INVALID_PATH /Parameters/a.$".to_string()]);
}

#[test]
fn jsonata_top_level_references() {
    for (expr, name) in [
        ("phone", Some("phone")),
        ("{'a': b}", Some("b")),
        ("$count(items)", Some("items")),
        ("$states.input.a ? b : 1", Some("b")),
        ("$states.input.items[price > 10].name", None),
        ("$states.input.{'a': b}", None),
        ("$states.input.(a + b)", None),
        ("$map($states.input, function($v) { $v.a })", None),
        ("$x.items^(price)", None),
        ("true and false", None),
    ] {
        assert_eq!(jsonata_top_level_reference(expr).as_deref(), name, "{expr}");
    }
}

#[test]
fn limits() {
    use super::{validate, validate_text, ValidateOptions};
    let options = ValidateOptions::default();
    let big = format!(
        "{{\"StartAt\": \"A\", \"Comment\": \"{}\", \"States\": {{\"A\": {{\"Type\": \"Succeed\"}}}}}}",
        "x".repeat(1024 * 1024)
    );
    let codes: Vec<String> = validate_text(&big, &options)
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, vec!["DEFINITION_TOO_LARGE".to_string()]);
    let mut deep = serde_json::json!(1);
    for _ in 0..600 {
        deep = serde_json::json!([deep]);
    }
    let definition = serde_json::json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": deep, "End": true}}});
    let codes: Vec<String> = validate(&definition, None, &options)
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert_eq!(codes, vec!["NESTING_TOO_DEEP".to_string()]);
}
