//! Unit tests for the tricky bits: error codes and positions, limits, AWS functions.

use super::*;
use crate::exec::rng::Rng;
use serde_json::{json, Map, Value};

fn eval_with(
    expr: &str,
    input: Option<Value>,
    aws: bool,
    limits: &Limits,
) -> Result<Option<Value>, JsonataError> {
    let mut rng = Rng::new(1);
    let mut host = Host {
        now_millis: 1_700_000_000_000,
        rng: &mut rng,
        aws_functions: aws,
    };
    compile(expr)?.evaluate(input.as_ref(), &Map::new(), &mut host, limits)
}

fn ok(expr: &str, input: Value) -> Value {
    match eval_with(expr, Some(input), false, &Limits::default()) {
        Ok(Some(v)) => v,
        other => panic!("{expr}: {other:?}"),
    }
}

fn aws(expr: &str) -> Result<Option<Value>, JsonataError> {
    eval_with(expr, None, true, &Limits::default())
}

fn err(expr: &str) -> JsonataError {
    match eval_with(expr, Some(json!({"a": 1})), false, &Limits::default()) {
        Err(e) => e,
        other => panic!("{expr}: expected an error, got {other:?}"),
    }
}

#[test]
fn paths_predicates_and_objects() {
    let data = json!({"a": [{"b": 1, "c": "x"}, {"b": 2, "c": "y"}, {"b": 3, "c": "x"}]});
    assert_eq!(ok("a.b", data.clone()), json!([1, 2, 3]));
    assert_eq!(ok("a[c='x'].b", data.clone()), json!([1, 3]));
    assert_eq!(ok("a{c: $sum(b)}", data.clone()), json!({"x": 4, "y": 2}));
    assert_eq!(ok("a^(>b)[0].b", data.clone()), json!(3));
    assert_eq!(ok("a#$i[$i>0].b", data.clone()), json!([2, 3]));
    assert_eq!(ok("a@$o.$o.b", data.clone()), json!([1, 2, 3]));
    assert_eq!(ok("$count(a[b>1])", data), json!(2));
    // key order of constructed objects is kept
    let v = ok("{'z': 1, 'a': 2, 'm': 3}", json!(null));
    let keys: Vec<&String> = v
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["z", "a", "m"]);
}

#[test]
fn numbers_and_strings() {
    assert_eq!(ok("1 + 2", json!(null)), json!(3));
    assert_eq!(ok("0.1 + 0.2", json!(null)), json!(0.30000000000000004));
    assert_eq!(ok("$string(1e21)", json!(null)), json!("1e+21"));
    assert_eq!(ok("'a' & 1.5 & true", json!(null)), json!("a1.5true"));
    assert_eq!(
        ok("$formatNumber(1234.5678, '#,##0.00')", json!(null)),
        json!("1,234.57")
    );
    assert_eq!(
        ok("$formatInteger(1999, 'I')", json!(null)),
        json!("MCMXCIX")
    );
    assert_eq!(
        ok("$replace('abcabc', /b(c)/, '[$1]')", json!(null)),
        json!("a[c]a[c]")
    );
    assert_eq!(
        ok("$split('a1b22c', /\\d+/)", json!(null)),
        json!(["a", "b", "c"])
    );
    assert_eq!(
        ok("$match('ab12', /[a-z](\\d)?/i).match", json!(null)),
        json!(["a", "b1"])
    );
    assert_eq!(
        ok("$fromMillis(0)", json!(null)),
        json!("1970-01-01T00:00:00.000Z")
    );
    assert_eq!(
        ok("$toMillis('2020-02-29T12:00:00Z')", json!(null)),
        json!(1582977600000i64)
    );
    assert_eq!(ok("$now()", json!(null)), json!("2023-11-14T22:13:20.000Z"));
    assert_eq!(ok("$millis()", json!(null)), json!(1_700_000_000_000i64));
}

#[test]
fn lambdas_closures_partials_chains() {
    assert_eq!(
        ok("($f := function($x){$x * 2}; $map([1,2], $f))", json!(null)),
        json!([2, 4])
    );
    assert_eq!(
        ok(
            "($add := function($a,$b){$a+$b}; $inc := $add(1, ?); $inc(5))",
            json!(null)
        ),
        json!(6)
    );
    assert_eq!(
        ok("($f := $uppercase ~> $trim; $f(' ab '))", json!(null)),
        json!("AB")
    );
    assert_eq!(
        ok(
            "$reduce([1,2,3,4], function($acc, $v){$acc + $v}, 10)",
            json!(null)
        ),
        json!(20)
    );
    assert_eq!(
        ok("$ ~> |a|{'b': 2}, ['c']|", json!({"a": {"c": 1}})),
        json!({"a": {"b": 2}})
    );
}

#[test]
fn error_codes_positions_and_messages() {
    let e = err("1 + 'a'");
    assert_eq!(
        (e.code.as_str(), e.position, e.token.as_deref()),
        ("T2002", Some(3), Some("+"))
    );
    assert_eq!(
        e.message,
        "The right side of the \"+\" operator must evaluate to a number"
    );
    assert_eq!(
        e.to_string(),
        "T2002: The right side of the \"+\" operator must evaluate to a number"
    );

    let e = err("(1 + ");
    assert_eq!((e.code.as_str(), e.position), ("S0203", Some(5)));
    assert_eq!(e.message, "Expected \")\" before end of expression");

    let e = err("$substring('a', 'b')");
    assert_eq!(e.code, "T0410");
    assert_eq!(e.token.as_deref(), Some("substring"));
    assert_eq!(e.position, Some(11));
    assert_eq!(
        e.message,
        "Argument 2 of function \"substring\" does not match function signature"
    );

    let e = err("$substring(1)");
    assert_eq!(e.code, "T0411");
    assert_eq!(
        e.message,
        "Context value is not a compatible type with argument 1 of function \"substring\""
    );

    let e = err("foo()");
    assert_eq!((e.code.as_str(), e.position), ("T1006", Some(4)));

    let e = err("sum([1])");
    assert_eq!(e.code, "T1005");
    assert_eq!(
        e.message,
        "Attempted to invoke a non-function. Did you mean $sum?"
    );

    let e = err("'abc");
    assert_eq!((e.code.as_str(), e.position), ("S0101", Some(4)));

    let e = err("$error('boom')");
    assert_eq!((e.code.as_str(), e.message.as_str()), ("D3137", "boom"));

    // positions count UTF-16 units like JavaScript strings
    let e = err("'\u{1F600}' + 1");
    assert_eq!(e.position, Some(6));

    let e = err("[1,2,3][");
    assert_eq!(e.code, "S0203");
    let e = err("$x := ");
    assert_eq!(e.code, "S0207");
    let e = err("/(?=a)/");
    assert_eq!(e.code, "S0303");
}

#[test]
fn depth_and_step_limits() {
    let rec = "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(100000))";
    let e = eval_with(rec, None, false, &Limits::default()).err();
    assert_eq!(e.map(|e| e.code), Some("U1001".into()));

    let small = Limits {
        max_depth: 10,
        max_steps: 1_000_000,
    };
    let e = eval_with(
        "($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(50))",
        None,
        false,
        &small,
    )
    .err();
    assert_eq!(e.map(|e| e.code), Some("U1001".into()));

    // an endless tail-recursive loop runs into the step budget
    let steps = Limits {
        max_depth: 500,
        max_steps: 100_000,
    };
    let e = eval_with("($f := function(){$f()}; $f())", None, false, &steps).err();
    assert_eq!(e.map(|e| e.code), Some("U1001".into()));

    // tail calls do not grow the stack: 10,000 iterations are fine
    let r = eval_with(
        "($loop := function($i, $acc){$i = 0 ? $acc : $loop($i - 1, $acc + $i)}; $loop(10000, 0))",
        None,
        false,
        &Limits::default(),
    );
    assert_eq!(r.ok().flatten(), Some(json!(50005000)));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for (open, close) in [
        ("(", ")"),
        ("[", "]"),
        ("{'a':", "}"),
        ("-", ""),
        ("$f(", ")"),
    ] {
        let expr = format!("{}1{}", open.repeat(10_000), close.repeat(10_000));
        let e = compile(&expr).err().map(|e| e.code);
        assert_eq!(e, Some("U1001".to_string()), "{open}");
    }
    let long = vec!["1"; 20_000].join(" + ");
    assert_eq!(compile(&long).err().map(|e| e.code), Some("U1001".into()));
    let path = vec!["a"; 20_000].join(".");
    assert_eq!(compile(&path).err().map(|e| e.code), Some("U1001".into()));
    // moderately deep input still works
    let expr = format!("{}1{}", "(".repeat(50), ")".repeat(50));
    assert!(compile(&expr).is_ok());
}

#[test]
fn deep_data_is_handled() {
    let mut v = json!(1);
    for _ in 0..300 {
        v = json!({ "a": v });
    }
    // descendant and string conversion walk the data without recursion limits in the budget
    let r = eval_with("$count(**)", Some(v), false, &Limits::default());
    assert!(r.is_ok() || r.err().map(|e| e.code) == Some("U1001".into()));
}

#[test]
fn aws_functions() {
    assert_eq!(
        aws("$partition([1,2,3,4,5], 2)").ok().flatten(),
        Some(json!([[1, 2], [3, 4], [5]]))
    );
    assert_eq!(
        aws("$range(0, 10, 3)").ok().flatten(),
        Some(json!([0, 3, 6, 9]))
    );
    assert_eq!(
        aws("$range(5, 1, -2)").ok().flatten(),
        Some(json!([5, 3, 1]))
    );
    assert_eq!(
        aws("$hash('abc', 'SHA-256')").ok().flatten(),
        Some(json!(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ))
    );
    assert_eq!(
        aws("$hash('abc', 'MD5')").ok().flatten(),
        Some(json!("900150983cd24fb0d6963f7d28e17f72"))
    );
    assert_eq!(
        aws("$parse('{\"a\": [1, 2]}')").ok().flatten(),
        Some(json!({"a": [1, 2]}))
    );
    let r1 = aws("$random(42)").ok().flatten();
    assert_eq!(r1, aws("$random(42)").ok().flatten());
    assert!(matches!(r1, Some(Value::Number(_))));
    let u = aws("$uuid()").ok().flatten();
    assert_eq!(
        u.as_ref().and_then(|u| u.as_str()).map(|s| s.len()),
        Some(36)
    );
    // AWS: "$eval is not available"
    let e = aws("$eval('1 + 1')").err();
    assert_eq!(
        e.map(|e| e.to_string()),
        Some("T1006: Attempted to invoke a non-function".into())
    );
    assert!(aws("$hash('abc', 'SHA-3')").is_err());
    // without AWS mode these are unknown, and $eval works
    let plain = |e: &str| eval_with(e, None, false, &Limits::default());
    assert_eq!(plain("$uuid()").err().map(|e| e.code), Some("T1006".into()));
    assert_eq!(plain("$eval('1 + 1')").ok().flatten(), Some(json!(2)));
}

#[test]
fn undefined_input_and_bindings() {
    let mut rng = Rng::new(1);
    let mut host = Host {
        now_millis: 0,
        rng: &mut rng,
        aws_functions: true,
    };
    let mut b = Map::new();
    b.insert("states".into(), json!({"input": {"x": 5}}));
    let e = compile("$states.input.x * 2").unwrap_or_else(|e| panic!("{e}"));
    let r = e.evaluate(None, &b, &mut host, &Limits::default());
    assert_eq!(r, Ok(Some(json!(10))));
    assert_eq!(
        e.evaluate(None, &Map::new(), &mut host, &Limits::default()),
        Ok(None)
    );
    // a function result becomes ""
    let f = compile("function($x){$x}").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        f.evaluate(None, &Map::new(), &mut host, &Limits::default()),
        Ok(Some(json!("")))
    );
}

#[test]
fn number_text_helpers() {
    use super::functions::{parse_f64, to_fixed};
    assert_eq!(parse_f64("007"), Some(7.0));
    assert_eq!(parse_f64("-0.5e2"), Some(-50.0));
    assert_eq!(parse_f64("1e400"), None);
    assert_eq!(to_fixed(1.5, 2), "1.50");
    assert_eq!(to_fixed(0.0001, 6), "0.000100");
    assert_eq!(to_fixed(1e-7, 10), "0.0000001000");
    assert_eq!(to_fixed(123456.0, 0), "123456");
    assert_eq!(to_fixed(1e21, 1), "1000000000000000000000.0");
    assert_eq!(ok("$string(0.1 + 0.2)", json!(null)), json!("0.3"));
    // toPrecision(15) rounds the exact binary value, not the shortest digits
    assert_eq!(
        ok("$string(22/70.5)", json!(null)),
        json!("0.312056737588652")
    );
    assert_eq!(
        ok("$string(123456789012345678)", json!(null)),
        json!("123456789012346000")
    );
}

#[test]
fn found_by_fuzzing() {
    // jsonata-js never returns here (endless loop); we format like the positive value
    assert_eq!(
        ok("$formatNumber(0-4, '#.00e0')", json!(null)),
        json!("-0.40e1")
    );
    assert!(eval_with(
        "$parseInteger('１２３４０)', '###０')",
        None,
        false,
        &Limits::default()
    )
    .is_ok());
}

#[test]
fn expressions_are_send_and_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>(_: &T) {}
    let e = compile("a.b").unwrap_or_else(|e| panic!("{e}"));
    check(&e);
    assert_eq!(format!("{e:?}"), "Expression(\"a.b\")");
    // usable from another thread
    let r = std::thread::spawn(move || {
        let mut rng = Rng::new(1);
        let mut host = Host {
            now_millis: 0,
            rng: &mut rng,
            aws_functions: false,
        };
        e.evaluate(
            Some(&json!({"a": {"b": 1}})),
            &Map::new(),
            &mut host,
            &Limits::default(),
        )
    })
    .join();
    assert!(matches!(r, Ok(Ok(Some(_)))));
}

#[test]
fn eval_inside_deep_recursion_stays_in_budget() {
    // $eval parses on top of a deep evaluation: its parser gets only what is left
    let deep = format!("{}1{}", "(".repeat(150), ")".repeat(150));
    let expr =
        format!("($f := function($n){{$n = 0 ? $eval('{deep}') : $f($n - 1) + 0}}; $f(120))");
    let r = eval_with(&expr, None, false, &Limits::default());
    assert!(
        matches!(&r, Ok(Some(_))) || matches!(&r, Err(e) if e.code == "U1001" || e.code == "D3120"),
        "{r:?}"
    );
}
