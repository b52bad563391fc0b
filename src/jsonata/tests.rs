use super::*;
use crate::exec::rng::Rng;

fn run(expr: &str, input: serde_json::Value) -> Result<Option<serde_json::Value>, JsonataError> {
    let mut rng = Rng::new(1);
    let mut host = Host {
        now_millis: 0,
        rng: &mut rng,
        aws_functions: true,
    };
    compile(expr)?.evaluate(
        Some(&input),
        &serde_json::Map::new(),
        &mut host,
        &Limits::default(),
    )
}

#[test]
fn basic_path() {
    let r = run("a.b", serde_json::json!({"a": {"b": 3}})).unwrap();
    assert_eq!(r, Some(serde_json::json!(3)));
}

#[test]
fn stack_per_level() {
    let mut rng = Rng::new(1);
    let mut host = Host {
        now_millis: 0,
        rng: &mut rng,
        aws_functions: false,
    };
    let e = compile("($f := function($n){$n = 0 ? 1 : $n * $f($n - 1)}; $f(1000))").unwrap();
    let r = e.evaluate(
        None,
        &serde_json::Map::new(),
        &mut host,
        &Limits {
            max_depth: 100000,
            max_steps: 1 << 40,
        },
    );
    eprintln!("STACK {:?}", r.err().map(|e| e.message));
}
