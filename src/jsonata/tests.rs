use super::*;
use crate::exec::rng::Rng;

fn run(expr: &str, input: serde_json::Value) -> Result<Option<serde_json::Value>, JsonataError> {
    let mut rng = Rng::new(1);
    let mut host = Host { now_millis: 0, rng: &mut rng, aws_functions: true };
    compile(expr)?.evaluate(Some(&input), &serde_json::Map::new(), &mut host, &Limits::default())
}

#[test]
fn basic_path() {
    let r = run("a.b", serde_json::json!({"a": {"b": 3}})).unwrap();
    assert_eq!(r, Some(serde_json::json!(3)));
}
