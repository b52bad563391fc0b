//! The evaluator's values: JSON plus undefined (`Option<V>`), sequences with jsonata-js's
//! flags, functions (lambdas, natives, partials, regexes, transforms).

use super::parser::Node;
use super::regex::Re;
use super::signature::Sig;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// An object: keys in insertion order (as jsonata-js keeps them). A plain vector keeps
/// the wasm small; payloads (256 KiB in Step Functions) keep linear lookups cheap.
#[derive(Clone, Debug, Default)]
pub struct Obj {
    e: Vec<(String, V)>,
}

impl Obj {
    pub fn new() -> Obj {
        Obj { e: Vec::new() }
    }
    pub fn get(&self, k: &str) -> Option<&V> {
        self.e.iter().find(|(x, _)| x == k).map(|(_, v)| v)
    }
    /// Replaces the value in place when the key exists (like IndexMap::insert).
    pub fn insert(&mut self, k: String, v: V) {
        match self.e.iter_mut().find(|(x, _)| *x == k) {
            Some(slot) => slot.1 = v,
            None => self.e.push((k, v)),
        }
    }
    pub fn shift_remove(&mut self, k: &str) -> Option<V> {
        let i = self.e.iter().position(|(x, _)| x == k)?;
        Some(self.e.remove(i).1)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&String, &V)> {
        self.e.iter().map(|(k, v)| (k, v))
    }
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.e.iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.e.iter().map(|(_, v)| v)
    }
    pub fn len(&self) -> usize {
        self.e.len()
    }
    pub fn is_empty(&self) -> bool {
        self.e.is_empty()
    }
}

/// Collects pairs whose keys are already unique (from a JSON object or another `Obj`).
impl FromIterator<(String, V)> for Obj {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(it: I) -> Obj {
        Obj {
            e: it.into_iter().collect(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum V {
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    Arr(Rc<Arr>),
    Obj(Rc<Obj>),
    Fun(Rc<Fun>),
}

/// An array with the flags jsonata-js hangs on its arrays.
#[derive(Clone, Debug, Default)]
pub struct Arr {
    pub v: Vec<V>,
    pub seq: bool,
    pub keep: bool,
    pub cons: bool,
    pub outer: bool,
    pub tuple: bool,
}

pub type Env = Rc<Frame>;

#[derive(Debug, Default)]
pub struct Frame {
    /// Few bindings per frame: a vector beats a hash map here, in speed and in wasm size.
    pub vars: RefCell<Vec<(String, Option<V>)>>,
    pub parent: Option<Env>,
}

impl Frame {
    pub fn child(parent: &Env) -> Env {
        Rc::new(Frame {
            vars: RefCell::new(Vec::new()),
            parent: Some(parent.clone()),
        })
    }
    pub fn bind(&self, name: &str, v: Option<V>) {
        let mut vars = self.vars.borrow_mut();
        match vars.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = v,
            None => vars.push((name.to_string(), v)),
        }
    }
    /// Some(binding) when the name is bound in this frame or an enclosing one.
    pub fn lookup(&self, name: &str) -> Option<Option<V>> {
        let mut f = self;
        loop {
            if let Some((_, v)) = f.vars.borrow().iter().find(|(k, _)| k == name) {
                return Some(v.clone());
            }
            match &f.parent {
                Some(p) => f = p,
                None => return None,
            }
        }
    }
}

#[derive(Debug)]
pub enum Fun {
    Lambda {
        params: Vec<String>,
        body: Arc<Node>,
        env: Env,
        input: Option<V>,
        sig: Option<Arc<Sig>>,
        thunk: bool,
    },
    Native(&'static str, Arc<Sig>),
    /// A partially applied function: `None` marks a `?` placeholder, `Some(None)` an
    /// argument bound to undefined.
    Partial(V, Vec<Option<Option<V>>>),
    Regex(Arc<Re>),
    /// The `next` of a regex match object.
    RegexNext(Arc<Re>, Rc<str>, usize),
    Transform(Arc<Node>, Env),
    /// `f ~> g` on two functions.
    Chain(V, V),
}

pub fn seq(v: Vec<V>) -> Arr {
    Arr {
        v,
        seq: true,
        ..Default::default()
    }
}

impl V {
    #[inline(never)]
    pub fn str(s: &str) -> V {
        V::Str(Rc::from(s))
    }
    #[inline(never)]
    pub fn arr(v: Vec<V>) -> V {
        V::Arr(Rc::new(Arr {
            v,
            ..Default::default()
        }))
    }
    #[inline(never)]
    pub fn seq(v: Vec<V>) -> V {
        V::Arr(Rc::new(seq(v)))
    }
    #[inline(never)]
    pub fn obj(o: Obj) -> V {
        V::Obj(Rc::new(o))
    }
    pub fn is_fn(&self) -> bool {
        matches!(self, V::Fun(_))
    }
    pub fn as_arr(&self) -> Option<&Arr> {
        match self {
            V::Arr(a) => Some(a),
            _ => None,
        }
    }
    pub fn num(&self) -> Option<f64> {
        match self {
            V::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// Items of an array value, or the value itself as a one-item slice.
#[inline(never)]
pub fn items(v: &V) -> Vec<V> {
    match v {
        V::Arr(a) => a.v.clone(),
        other => vec![other.clone()],
    }
}

pub fn from_json(j: &Value) -> V {
    match j {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => V::Num(crate::json::as_f64(n)),
        Value::String(s) => V::str(s),
        Value::Array(a) => V::arr(a.iter().map(from_json).collect()),
        Value::Object(o) => V::obj(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

/// To JSON as JSON.stringify would see the value (functions become "" like jsonata-js's
/// test harness sees them; non-finite numbers become null).
pub fn to_json(v: &V) -> Value {
    match v {
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        V::Num(n) => crate::json::number(*n),
        V::Str(s) => Value::String(s.to_string()),
        V::Arr(a) => Value::Array(a.v.iter().map(to_json).collect()),
        V::Obj(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        V::Fun(_) => Value::String(String::new()),
    }
}

pub fn deep_eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Num(x), V::Num(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Arr(x), V::Arr(y)) => {
            x.v.len() == y.v.len() && x.v.iter().zip(y.v.iter()).all(|(p, q)| deep_eq(p, q))
        }
        (V::Obj(x), V::Obj(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).map(|w| deep_eq(v, w)).unwrap_or(false))
        }
        (V::Fun(x), V::Fun(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}
