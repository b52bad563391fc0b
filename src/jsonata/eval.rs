//! The evaluator: a port of jsonata-js's `evaluate` family, synchronous, with a depth and
//! step budget. Sequences are arrays flagged `seq`; tuple streams (for `@`, `#` and `%`)
//! are arrays flagged `tuple` whose items are objects of bindings with `@` the context.

use super::functions;
use super::parser::{Group, Node, Stage, T};
use super::signature::Sig;
use super::value::{deep_eq, items, seq, Arr, Env, Frame, Fun, Obj, V};
use super::{Err, Host, Limits};
use std::rc::Rc;
use std::sync::Arc;

pub type R = Result<Option<V>, Err>;

use super::{stack_addr, STACK_BUDGET};

pub struct Ctx<'h, 'a> {
    pub host: &'h mut Host<'a>,
    pub max_depth: usize,
    pub max_steps: u64,
    pub depth: usize,
    pub steps: u64,
    stack_base: usize,
    pub max_stack: usize,
    natives: Vec<(&'static str, V)>,
    /// Frames that `:=` bound a function, object or array into: a closure stored in the
    /// frame it captures is a reference cycle, so `run` empties these frames at the end
    /// (otherwise every `$f := function(){...}` would leak, for the life of the module).
    bound_frames: Vec<std::rc::Weak<Frame>>,
}

pub fn run(
    ast: &Node,
    input: Option<V>,
    bindings: Vec<(String, V)>,
    host: &mut Host,
    limits: &Limits,
) -> R {
    let env: Env = Rc::new(Frame::default());
    for (k, v) in bindings {
        env.bind(&k, Some(v));
    }
    env.bind("$", input.clone());
    let input = match input {
        Some(v @ V::Arr(_)) => Some(V::Arr(Rc::new(Arr {
            v: vec![v],
            seq: true,
            outer: true,
            ..Default::default()
        }))),
        other => other,
    };
    let mut ctx = Ctx {
        host,
        max_depth: limits.max_depth,
        max_steps: limits.max_steps,
        depth: 0,
        steps: 0,
        stack_base: stack_addr(),
        max_stack: STACK_BUDGET,
        natives: Vec::new(),
        bound_frames: vec![Rc::downgrade(&env)],
    };
    let r = ctx.eval(ast, &input, &env);
    // Functions in the result are not called again: breaking the cycles is safe now.
    for frame in ctx.bound_frames.iter().filter_map(std::rc::Weak::upgrade) {
        if let Ok(mut vars) = frame.vars.try_borrow_mut() {
            vars.clear();
        }
    }
    Ok(r?.map(|v| strip(&v)))
}

/// Drops sequence flags on the way out (a singleton sequence with keep stays an array).
fn strip(v: &V) -> V {
    v.clone()
}

pub fn mutate_arr(v: &mut V, f: impl FnOnce(&mut Arr)) {
    if let V::Arr(a) = v {
        f(Rc::make_mut(a));
    }
}

pub fn num_ok(v: &V) -> Result<bool, Err> {
    match v {
        V::Num(n) => {
            if n.is_nan() {
                Ok(false)
            } else if !n.is_finite() {
                Err(Err::new("D1001").val(V::Num(*n)))
            } else {
                Ok(true)
            }
        }
        _ => Ok(false),
    }
}

fn frame_from_tuple(env: &Env, t: &Obj) -> Env {
    let f = Frame::child(env);
    for (k, v) in t.iter() {
        f.bind(k, Some(v.clone()));
    }
    f
}

fn tuples(v: &[V]) -> Vec<Obj> {
    v.iter()
        .map(|t| match t {
            V::Obj(o) => (**o).clone(),
            _ => Obj::new(),
        })
        .collect()
}

fn tuple_stream(v: Vec<Obj>) -> Arr {
    Arr {
        v: v.into_iter().map(|o| V::Obj(Rc::new(o))).collect(),
        seq: true,
        tuple: true,
        ..Default::default()
    }
}

impl<'h, 'a> Ctx<'h, 'a> {
    /// Native stack still available to nested work (`$eval` parses on top of us).
    pub fn stack_left(&self) -> usize {
        self.max_stack
            .saturating_sub(self.stack_base.abs_diff(stack_addr()))
    }

    pub fn aws(&self) -> bool {
        self.host.aws_functions
    }

    pub fn lookup(&mut self, env: &Env, name: &str) -> Option<V> {
        match env.lookup(name) {
            Some(v) => v,
            None => self.native(name),
        }
    }

    pub fn native(&mut self, name: &str) -> Option<V> {
        let (key, sig) = functions::signature_of(name, self.host.aws_functions)?;
        if let Some((_, v)) = self.natives.iter().find(|(k, _)| *k == key) {
            return Some(v.clone());
        }
        let sig = Sig::parse(sig).ok()?;
        let v = V::Fun(Rc::new(Fun::Native(key, Arc::new(sig))));
        self.natives.push((key, v.clone()));
        Some(v)
    }

    pub fn eval(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        self.depth += 1;
        self.steps += 1;
        let used = self.stack_base.abs_diff(stack_addr());
        if self.depth > self.max_depth || used > self.max_stack {
            self.depth -= 1;
            return Err(Err::new("U1001").pos(expr.pos));
        }
        if self.steps > self.max_steps {
            self.depth -= 1;
            return Err(Err::new("U1001")
                .pos(expr.pos)
                .msg("Expression evaluation timeout: Check for infinite loop"));
        }
        let r = self.eval_inner(expr, input, env);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let result = self.dispatch(expr, input, env)?;
        if expr.predicate.is_empty() && expr.group.is_none() && !matches!(result, Some(V::Arr(_))) {
            return Ok(result);
        }
        self.post(expr, result, env)
    }

    fn dispatch(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        Ok(match expr.t {
            T::Path => self.eval_path(expr, input, env)?,
            T::Binary => self.eval_binary(expr, input, env)?,
            T::Unary => self.eval_unary(expr, input, env)?,
            T::Name => input.as_ref().and_then(|i| functions::lookup(i, &expr.s)),
            T::Str | T::Num | T::Value => expr.lit.as_ref().map(super::parser::Lit::to_v),
            T::Wildcard => Some(V::Arr(Rc::new(wildcard(input)))),
            T::Descendant => descendants(input),
            T::Parent => match &expr.slot {
                Some(s) => {
                    let label = super::parser::lk(s).label.clone();
                    env.lookup(&label).flatten()
                }
                None => None,
            },
            T::Condition => self.eval_condition(expr, input, env)?,
            T::Block => self.eval_block(expr, input, env)?,
            T::Bind => self.eval_bind(expr, input, env)?,
            T::Regex => expr
                .re
                .as_ref()
                .map(|r| V::Fun(Rc::new(Fun::Regex(r.clone())))),
            T::Function => self.eval_function(expr, input, env, None)?,
            T::Variable => {
                if expr.s.is_empty() {
                    match input {
                        Some(V::Arr(a)) if a.outer => a.v.first().cloned(),
                        other => other.clone(),
                    }
                } else {
                    self.lookup(env, &expr.s)
                }
            }
            T::Lambda => Some(V::Fun(Rc::new(Fun::Lambda {
                params: expr.params.clone(),
                body: expr.body.clone().unwrap_or_default(),
                env: env.clone(),
                input: input.clone(),
                sig: expr.sig.clone(),
                thunk: expr.thunk,
            }))),
            T::Partial => self.eval_partial(expr, input, env)?,
            T::Apply => self.eval_apply(expr, input, env)?,
            T::Transform => Some(V::Fun(Rc::new(Fun::Transform(
                Arc::new(expr.clone()),
                env.clone(),
            )))),
            T::Operator => None,
            T::Sort | T::End => None,
        })
    }

    #[inline(never)]
    fn eval_condition(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let c = self.eval(sub(&expr.lhs), input, env)?;
        if functions::boolean(&c) == Some(true) {
            self.eval(sub(&expr.rhs), input, env)
        } else if let Some(e) = &expr.els {
            self.eval(e, input, env)
        } else {
            Ok(None)
        }
    }

    #[inline(never)]
    fn eval_block(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let frame = Frame::child(env);
        let mut r = None;
        for e in &expr.exprs {
            r = self.eval(e, input, &frame)?;
        }
        Ok(r)
    }

    #[inline(never)]
    fn eval_bind(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let v = self.eval(sub(&expr.rhs), input, env)?;
        if matches!(v, Some(V::Fun(_) | V::Obj(_) | V::Arr(_))) {
            self.note_bound_frame(env);
        }
        env.bind(&expr.s, v.clone());
        Ok(v)
    }

    /// Remembers a frame for the cleanup at the end of `run`; frames already dropped are
    /// forgotten now and then, so the list stays as small as the frames alive.
    fn note_bound_frame(&mut self, env: &Env) {
        let frames = &mut self.bound_frames;
        if frames
            .last()
            .is_some_and(|last| std::ptr::eq(last.as_ptr(), Rc::as_ptr(env)))
        {
            return;
        }
        if frames.len() >= 64 && frames.len().is_power_of_two() {
            frames.retain(|frame| frame.strong_count() > 0);
        }
        frames.push(Rc::downgrade(env));
    }

    #[inline(never)]
    fn post(&mut self, expr: &Node, mut result: Option<V>, env: &Env) -> R {
        for st in &expr.predicate {
            if let Stage::Filter(p) = st {
                result = Some(V::Arr(Rc::new(self.eval_filter(p, &result, env)?)));
            }
        }
        if expr.t != T::Path {
            if let Some(g) = &expr.group {
                result = Some(self.eval_group(g, &result, env)?);
            }
        }
        if let Some(V::Arr(a)) = &result {
            if a.seq && !a.tuple {
                let mut keep = a.keep;
                if expr.keep_array && !a.keep {
                    keep = true;
                    if let Some(r) = result.as_mut() {
                        mutate_arr(r, |a| a.keep = true);
                    }
                }
                let len = result
                    .as_ref()
                    .and_then(|r| r.as_arr())
                    .map(|a| a.v.len())
                    .unwrap_or(0);
                if len == 0 {
                    result = None;
                } else if len == 1 && !keep {
                    result = result
                        .as_ref()
                        .and_then(|r| r.as_arr())
                        .and_then(|a| a.v.first().cloned());
                }
            }
        }
        Ok(result)
    }

    fn eval_path(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let first_var = expr
            .exprs
            .first()
            .map(|s| s.t == T::Variable)
            .unwrap_or(false);
        let mut input_seq: Vec<Option<V>> = match input {
            Some(V::Arr(a)) if !first_var => a.v.iter().cloned().map(Some).collect(),
            other => vec![other.clone()],
        };
        let mut result_seq: Option<Arr> = None;
        let mut is_tuple = false;
        let mut tuple_bindings: Option<Vec<Obj>> = None;
        let n = expr.exprs.len();
        for (ii, step) in expr.exprs.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if ii == 0 && step.cons_array {
                let r = self.eval(step, &Some(V::Arr(Rc::new(seq(flat_opt(&input_seq))))), env)?;
                result_seq = Some(match r {
                    None => seq(vec![]),
                    Some(V::Arr(a)) => (*a).clone(),
                    Some(v) => seq(vec![v]),
                });
            } else if is_tuple {
                tuple_bindings =
                    Some(self.eval_tuple_step(step, &input_seq, tuple_bindings, env)?);
            } else {
                result_seq = Some(self.eval_step(step, &input_seq, env, ii == n - 1)?);
            }
            if !is_tuple {
                match &result_seq {
                    None => break,
                    Some(r) if r.v.is_empty() => break,
                    _ => {}
                }
            }
            if step.focus.is_none() {
                if let Some(r) = &result_seq {
                    input_seq = r.v.iter().cloned().map(Some).collect();
                }
            }
        }
        let mut tuple_bindings_for_group = vec![];
        if is_tuple {
            let tb = tuple_bindings.unwrap_or_default();
            if expr.group.is_some() {
                tuple_bindings_for_group = tb.clone();
            }
            if expr.tuple {
                result_seq = Some(tuple_stream(tb));
            } else {
                result_seq = Some(seq(tb.iter().filter_map(|t| t.get("@").cloned()).collect()));
            }
        }
        let mut result_seq = result_seq.unwrap_or_else(|| seq(vec![]));
        if is_tuple && expr.group.is_some() {
            let ts = tuple_stream(tuple_bindings_for_group);
            return Ok(Some(self.eval_group(
                sub_group(expr),
                &Some(V::Arr(Rc::new(ts))),
                env,
            )?));
        }
        if expr.keep_singleton {
            if result_seq.cons && !result_seq.seq {
                result_seq = seq(vec![V::Arr(Rc::new(result_seq))]);
            }
            result_seq.keep = true;
        }
        let mut out = V::Arr(Rc::new(result_seq));
        if let Some(g) = &expr.group {
            out = self.eval_group(g, &Some(out), env)?;
        }
        Ok(Some(out))
    }

    fn eval_step(
        &mut self,
        expr: &Node,
        input: &[Option<V>],
        env: &Env,
        last: bool,
    ) -> Result<Arr, Err> {
        if expr.t == T::Sort {
            let mut r = self.eval_sort(expr, &Some(V::Arr(Rc::new(seq(flat_opt(input))))), env)?;
            if expr.has_stages {
                r = self.eval_stages(&expr.stages, r, env)?;
            }
            return Ok(r);
        }
        let mut result: Vec<V> = vec![];
        for item in input {
            let mut res = self.eval(expr, item, env)?;
            for st in &expr.stages {
                if let Stage::Filter(p) = st {
                    res = Some(V::Arr(Rc::new(self.eval_filter(p, &res, env)?)));
                }
            }
            if let Some(r) = res {
                result.push(r);
            }
        }
        if last && result.len() == 1 {
            if let V::Arr(a) = &result[0] {
                if !a.seq {
                    return Ok((**a).clone());
                }
            }
        }
        let mut out = seq(vec![]);
        for r in result {
            match r {
                V::Arr(a) if !a.cons => out.v.extend(a.v.iter().cloned()),
                other => out.v.push(other),
            }
        }
        Ok(out)
    }

    fn eval_stages(&mut self, stages: &[Stage], input: Arr, env: &Env) -> Result<Arr, Err> {
        let mut result = input;
        for st in stages {
            match st {
                Stage::Filter(p) => {
                    result = self.eval_filter(p, &Some(V::Arr(Rc::new(result))), env)?;
                }
                Stage::Index(name) => {
                    for (i, t) in result.v.iter_mut().enumerate() {
                        if let V::Obj(o) = t {
                            Rc::make_mut(o).insert(name.clone(), V::Num(i as f64));
                        }
                    }
                }
            }
        }
        Ok(result)
    }

    fn eval_tuple_step(
        &mut self,
        expr: &Node,
        input: &[Option<V>],
        tb: Option<Vec<Obj>>,
        env: &Env,
    ) -> Result<Vec<Obj>, Err> {
        if expr.t == T::Sort {
            let mut result = if let Some(tb) = tb {
                self.eval_sort(expr, &Some(V::Arr(Rc::new(tuple_stream(tb)))), env)?
            } else {
                let sorted =
                    self.eval_sort(expr, &Some(V::Arr(Rc::new(seq(flat_opt(input))))), env)?;
                let mut out = vec![];
                for (i, v) in sorted.v.into_iter().enumerate() {
                    let mut t = Obj::new();
                    t.insert("@".into(), v);
                    if let Some(ix) = &expr.index {
                        t.insert(ix.clone(), V::Num(i as f64));
                    }
                    out.push(t);
                }
                tuple_stream(out)
            };
            if expr.has_stages {
                result = self.eval_stages(&expr.stages, result, env)?;
            }
            return Ok(tuples(&result.v));
        }
        let tb = match tb {
            Some(t) => t,
            None => input
                .iter()
                .map(|i| {
                    let mut t = Obj::new();
                    if let Some(v) = i {
                        t.insert("@".into(), v.clone());
                    }
                    t
                })
                .collect(),
        };
        let mut result = vec![];
        for t in &tb {
            let step_env = frame_from_tuple(env, t);
            let ctx = t.get("@").cloned();
            let res = self.eval(expr, &ctx, &step_env)?;
            if let Some(res) = res {
                let (list, is_ts) = match &res {
                    V::Arr(a) => (a.v.clone(), a.tuple),
                    other => (vec![other.clone()], false),
                };
                for (bb, item) in list.into_iter().enumerate() {
                    let mut tuple = t.clone();
                    if is_ts {
                        if let V::Obj(o) = &item {
                            for (k, v) in o.iter() {
                                tuple.insert(k.clone(), v.clone());
                            }
                        }
                    } else {
                        if let Some(f) = &expr.focus {
                            tuple.insert(f.clone(), item);
                            match &ctx {
                                Some(c) => {
                                    tuple.insert("@".into(), c.clone());
                                }
                                None => {
                                    tuple.shift_remove("@");
                                }
                            }
                        } else {
                            tuple.insert("@".into(), item);
                        }
                        if let Some(ix) = &expr.index {
                            tuple.insert(ix.clone(), V::Num(bb as f64));
                        }
                        if let Some(anc) = &expr.ancestor {
                            let label = super::parser::lk(anc).label.clone();
                            if let Some(c) = &ctx {
                                tuple.insert(label, c.clone());
                            }
                        }
                    }
                    result.push(tuple);
                }
            }
        }
        if expr.has_stages {
            let r = self.eval_stages(&expr.stages, tuple_stream(result), env)?;
            return Ok(tuples(&r.v));
        }
        Ok(result)
    }

    fn eval_filter(&mut self, pred: &Node, input: &Option<V>, env: &Env) -> Result<Arr, Err> {
        let is_ts = matches!(input, Some(V::Arr(a)) if a.tuple);
        let mut results = seq(vec![]);
        results.tuple = is_ts;
        let list: Vec<V> = match input {
            Some(V::Arr(a)) => a.v.clone(),
            Some(v) => vec![v.clone()],
            None => vec![],
        };
        if pred.t == T::Num {
            let n = pred
                .lit
                .as_ref()
                .and_then(|l| l.to_v().num())
                .unwrap_or(0.0)
                .floor();
            let idx = if n < 0.0 { list.len() as f64 + n } else { n };
            if idx >= 0.0 && (idx as usize) < list.len() {
                let item = list[idx as usize].clone();
                match item {
                    V::Arr(a) => return Ok((*a).clone()),
                    other => results.v.push(other),
                }
            }
            return Ok(results);
        }
        let len = list.len();
        for (index, item) in list.into_iter().enumerate() {
            let (context, e) = if is_ts {
                match &item {
                    V::Obj(o) => (o.get("@").cloned(), frame_from_tuple(env, o)),
                    _ => (None, env.clone()),
                }
            } else {
                (Some(item.clone()), env.clone())
            };
            let res = self.eval(pred, &context, &e)?;
            let nums: Option<Vec<f64>> = match &res {
                Some(v @ V::Num(n)) => {
                    if num_ok(v)? {
                        Some(vec![*n])
                    } else {
                        None
                    }
                }
                Some(V::Arr(a)) => {
                    let mut all = true;
                    for x in &a.v {
                        if !num_ok(x)? {
                            all = false;
                        }
                    }
                    if all {
                        Some(a.v.iter().filter_map(|x| x.num()).collect())
                    } else {
                        None
                    }
                }
                _ => None,
            };
            if let Some(nums) = nums {
                for n in nums {
                    let mut ii = n.floor();
                    if ii < 0.0 {
                        ii += len as f64;
                    }
                    if ii == index as f64 {
                        results.v.push(item.clone());
                    }
                }
            } else if functions::boolean(&res) == Some(true) {
                results.v.push(item);
            }
        }
        Ok(results)
    }

    fn eval_binary(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let lhs = self.eval(sub(&expr.lhs), input, env)?;
        if expr.s == "and" || expr.s == "or" {
            let l = functions::boolean(&lhs).unwrap_or(false);
            if (expr.s == "and") != l {
                return Ok(Some(V::Bool(l)));
            }
            let rhs = self
                .eval(sub(&expr.rhs), input, env)
                .map_err(|e| e.pos(expr.pos).tok(&expr.s))?;
            return Ok(Some(V::Bool(functions::boolean(&rhs).unwrap_or(false))));
        }
        let rhs = self.eval(sub(&expr.rhs), input, env)?;
        self.binary_op(expr, lhs, rhs)
    }

    #[inline(never)]
    fn binary_op(&mut self, expr: &Node, lhs: Option<V>, rhs: Option<V>) -> R {
        let op = expr.s.as_str();
        let at = |e: Err| e.pos(expr.pos).tok(op);
        match op {
            "and" | "or" => Ok(Some(V::Bool(functions::boolean(&rhs).unwrap_or(false)))),
            "+" | "-" | "*" | "/" | "%" => {
                if let Some(l) = &lhs {
                    if !num_ok(l).map_err(at)? {
                        return Err(at(Err::new("T2001").val(l.clone())));
                    }
                }
                if let Some(r) = &rhs {
                    if !num_ok(r).map_err(at)? {
                        return Err(at(Err::new("T2002").val(r.clone())));
                    }
                }
                let (l, r) = match (lhs.and_then(|v| v.num()), rhs.and_then(|v| v.num())) {
                    (Some(l), Some(r)) => (l, r),
                    _ => return Ok(None),
                };
                Ok(Some(V::Num(match op {
                    "+" => l + r,
                    "-" => l - r,
                    "*" => l * r,
                    "/" => l / r,
                    _ => l % r,
                })))
            }
            "=" | "!=" => {
                let (l, r) = match (&lhs, &rhs) {
                    (Some(l), Some(r)) => (l, r),
                    _ => return Ok(Some(V::Bool(false))),
                };
                let eq = deep_eq(l, r);
                Ok(Some(V::Bool(if op == "=" { eq } else { !eq })))
            }
            "<" | "<=" | ">" | ">=" => {
                let comparable =
                    |v: &Option<V>| matches!(v, None | Some(V::Str(_)) | Some(V::Num(_)));
                if !comparable(&lhs) || !comparable(&rhs) {
                    let bad = if !matches!(lhs, Some(V::Str(_)) | Some(V::Num(_))) {
                        lhs.clone()
                    } else {
                        rhs.clone()
                    };
                    let mut e = Err::new("T2010");
                    if let Some(b) = bad {
                        e = e.val(b);
                    }
                    return Err(at(e));
                }
                let (l, r) = match (&lhs, &rhs) {
                    (Some(l), Some(r)) => (l, r),
                    _ => return Ok(None),
                };
                let ord = match (l, r) {
                    (V::Num(a), V::Num(b)) => a.partial_cmp(b),
                    (V::Str(a), V::Str(b)) => Some(functions::cmp_str(a, b)),
                    _ => {
                        return Err(at(Err::new("T2009").val(l.clone()).val2(r.clone())));
                    }
                };
                use std::cmp::Ordering::*;
                Ok(Some(V::Bool(match (op, ord) {
                    (_, None) => false,
                    ("<", Some(o)) => o == Less,
                    ("<=", Some(o)) => o != Greater,
                    (">", Some(o)) => o == Greater,
                    (_, Some(o)) => o != Less,
                })))
            }
            "&" => {
                let mut s = String::new();
                if let Some(l) = &lhs {
                    s.push_str(&functions::string(self, l, false).map_err(at)?);
                }
                if let Some(r) = &rhs {
                    s.push_str(&functions::string(self, r, false).map_err(at)?);
                }
                Ok(Some(V::str(&s)))
            }
            ".." => {
                let int = |v: &Option<V>| match v {
                    Some(V::Num(n)) => n.fract() == 0.0 && n.is_finite(),
                    _ => false,
                };
                if lhs.is_some() && !int(&lhs) {
                    return Err(at(Err::new("T2003").val(lhs.unwrap_or(V::Null))));
                }
                if rhs.is_some() && !int(&rhs) {
                    return Err(at(Err::new("T2004").val(rhs.unwrap_or(V::Null))));
                }
                let (l, r) = match (lhs.and_then(|v| v.num()), rhs.and_then(|v| v.num())) {
                    (Some(l), Some(r)) => (l, r),
                    _ => return Ok(None),
                };
                if l > r {
                    return Ok(None);
                }
                let size = r - l + 1.0;
                if size > 1e7 {
                    return Err(at(Err::new("D2014").val(V::Num(size))));
                }
                // Building the items is work the step budget must see (a cheap step per ten
                // items, so jsonata-js's largest range, 1e7, still fits the default budget).
                self.steps += (size / 10.0) as u64;
                if self.steps > self.max_steps {
                    return Err(at(Err::new("U1001")
                        .msg("Expression evaluation timeout: Check for infinite loop")));
                }
                let mut v = Vec::with_capacity(size as usize);
                let mut x = l;
                while x <= r {
                    v.push(V::Num(x));
                    x += 1.0;
                }
                Ok(Some(V::seq(v)))
            }
            "in" => {
                let (l, r) = match (&lhs, &rhs) {
                    (Some(l), Some(r)) => (l, r),
                    _ => return Ok(Some(V::Bool(false))),
                };
                let list = items(r);
                Ok(Some(V::Bool(list.iter().any(|x| strict_eq(x, l)))))
            }
            _ => Ok(None),
        }
    }

    fn eval_unary(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        match expr.s.as_str() {
            "-" => {
                let r = self.eval(sub(&expr.lhs), input, env)?;
                match r {
                    None => Ok(None),
                    Some(v) => {
                        if num_ok(&v).map_err(|e| e.pos(expr.pos).tok("-"))? {
                            Ok(Some(V::Num(-v.num().unwrap_or(0.0))))
                        } else {
                            Err(Err::new("D1002").pos(expr.pos).tok("-").val(v))
                        }
                    }
                }
            }
            "[" => {
                let mut out: Vec<V> = vec![];
                for item in &expr.exprs {
                    if let Some(v) = self.eval(item, input, env)? {
                        if item.t == T::Unary && item.s == "[" {
                            out.push(v);
                        } else {
                            match v {
                                V::Arr(a) => out.extend(a.v.iter().cloned()),
                                other => out.push(other),
                            }
                        }
                    }
                }
                Ok(Some(V::Arr(Rc::new(Arr {
                    v: out,
                    cons: expr.cons_array,
                    ..Default::default()
                }))))
            }
            "{" => {
                let g = Group {
                    pairs: expr.pairs.clone(),
                    pos: expr.pos,
                };
                Ok(Some(self.eval_group(&g, input, env)?))
            }
            _ => Ok(None),
        }
    }

    pub fn eval_group(&mut self, g: &Group, input: &Option<V>, env: &Env) -> Result<V, Err> {
        let reduce = matches!(input, Some(V::Arr(a)) if a.tuple);
        let mut list: Vec<Option<V>> = match input {
            Some(V::Arr(a)) => a.v.iter().cloned().map(Some).collect(),
            other => vec![other.clone()],
        };
        if list.is_empty() {
            list.push(None);
        }
        // key -> (data, expr index)
        let mut groups: Vec<(String, (Option<V>, usize))> = Vec::new();
        for item in &list {
            let (ctx, e) = if reduce {
                match item {
                    Some(V::Obj(o)) => (o.get("@").cloned(), frame_from_tuple(env, o)),
                    _ => (None, env.clone()),
                }
            } else {
                (item.clone(), env.clone())
            };
            for (pi, (k, _)) in g.pairs.iter().enumerate() {
                let key = self.eval(k, &ctx, &e)?;
                match key {
                    None => {}
                    Some(V::Str(s)) => {
                        let s = s.to_string();
                        if let Some((_, entry)) = groups.iter_mut().find(|(k, _)| *k == s) {
                            if entry.1 != pi {
                                return Err(Err::new("D1009").pos(g.pos).val(V::str(&s)));
                            }
                            entry.0 = functions::append(entry.0.take(), item.clone());
                        } else {
                            groups.push((s, (item.clone(), pi)));
                        }
                    }
                    Some(other) => return Err(Err::new("T1003").pos(g.pos).val(other)),
                }
            }
        }
        let mut result = Obj::new();
        for (key, (data, pi)) in groups {
            let (ctx, e) = if reduce {
                let t = reduce_tuples(&data);
                let c = t.get("@").cloned();
                let mut t2 = t.clone();
                t2.shift_remove("@");
                (c, frame_from_tuple(env, &t2))
            } else {
                (data, env.clone())
            };
            if let Some(v) = self.eval(&g.pairs[pi].1, &ctx, &e)? {
                result.insert(key, v);
            }
        }
        Ok(V::Obj(Rc::new(result)))
    }

    fn eval_sort(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> Result<Arr, Err> {
        let arr = match input {
            Some(V::Arr(a)) => (**a).clone(),
            Some(v) => seq(vec![v.clone()]),
            None => return Ok(seq(vec![])),
        };
        let is_ts = arr.tuple;
        if arr.v.len() <= 1 {
            return Ok(arr);
        }
        // precompute keys per item per term
        let mut keys: Vec<Vec<Option<V>>> = Vec::with_capacity(arr.v.len());
        for item in &arr.v {
            let (ctx, e) = if is_ts {
                match item {
                    V::Obj(o) => (o.get("@").cloned(), frame_from_tuple(env, o)),
                    _ => (None, env.clone()),
                }
            } else {
                (Some(item.clone()), env.clone())
            };
            let mut k = vec![];
            for (_, t) in &expr.terms {
                k.push(self.eval(t, &ctx, &e)?);
            }
            keys.push(k);
        }
        let pos = expr.pos;
        let terms: Vec<bool> = expr.terms.iter().map(|t| t.0).collect();
        let cmp = |a: usize, b: usize| -> Result<bool, Err> {
            let mut comp = 0;
            for (ti, desc) in terms.iter().enumerate() {
                let aa = &keys[a][ti];
                let bb = &keys[b][ti];
                let (x, y) = match (aa, bb) {
                    (None, None) => continue,
                    (None, _) => {
                        comp = 1;
                        break;
                    }
                    (_, None) => {
                        comp = -1;
                        break;
                    }
                    (Some(x), Some(y)) => (x, y),
                };
                let ok = |v: &V| matches!(v, V::Num(_) | V::Str(_));
                if !ok(x) || !ok(y) {
                    let bad = if !ok(x) { x.clone() } else { y.clone() };
                    return Err(Err::new("T2008").pos(pos).val(bad));
                }
                let o = match (x, y) {
                    (V::Num(p), V::Num(q)) => p.partial_cmp(q).unwrap_or(std::cmp::Ordering::Equal),
                    (V::Str(p), V::Str(q)) => functions::cmp_str(p, q),
                    _ => return Err(Err::new("T2007").pos(pos).val(x.clone()).val2(y.clone())),
                };
                if o == std::cmp::Ordering::Equal {
                    continue;
                }
                comp = if o == std::cmp::Ordering::Less { -1 } else { 1 };
                if *desc {
                    comp = -comp;
                }
                break;
            }
            Ok(comp == 1)
        };
        let idx: Vec<usize> = (0..arr.v.len()).collect();
        let sorted = merge_sort(idx, &mut |a, b| cmp(a, b))?;
        let mut out = Arr {
            v: sorted.into_iter().map(|i| arr.v[i].clone()).collect(),
            ..Default::default()
        };
        out.tuple = is_ts;
        if is_ts {
            out.seq = true;
        }
        Ok(out)
    }

    // ---- functions ----

    fn eval_function(
        &mut self,
        expr: &Node,
        input: &Option<V>,
        env: &Env,
        applyto: Option<Option<V>>,
    ) -> R {
        let proc_node = sub(&expr.procedure);
        let proc = self.eval(proc_node, input, env)?;
        let proc_name = procedure_name(proc_node);
        if proc.is_none() && proc_node.t == T::Path {
            if let Some(n) = &proc_name {
                if self.lookup(env, n).is_some() {
                    return Err(Err::new("T1005").pos(expr.pos).tok(n));
                }
            }
        }
        let mut args: Vec<Option<V>> = vec![];
        if let Some(a) = applyto {
            args.push(a);
        }
        for a in &expr.exprs {
            args.push(self.eval(a, input, env)?);
        }
        let site = (proc_name, expr.pos);
        let proc = proc.unwrap_or(V::Null);
        self.apply(&proc, args, input, env, Some(&site))
            .map_err(|mut e| {
                if e.position.is_none() {
                    e.position = Some(expr.pos);
                }
                if e.token.is_none() {
                    e.token = site.0.clone();
                }
                e
            })
    }

    pub fn call(&mut self, f: &V, args: Vec<Option<V>>) -> R {
        let env: Env = Rc::new(Frame::default());
        self.apply(f, args, &None, &env, None)
    }

    #[allow(clippy::while_let_loop)]
    pub fn apply(
        &mut self,
        proc: &V,
        args: Vec<Option<V>>,
        input: &Option<V>,
        env: &Env,
        site: Option<&(Option<String>, usize)>,
    ) -> R {
        let mut result = self.apply_inner(proc, args, input, env, site)?;
        if result.is_none() {
            return Ok(None);
        }
        loop {
            let (body, tin, tenv) = match &result {
                Some(V::Fun(f)) => match &**f {
                    Fun::Lambda {
                        thunk: true,
                        body,
                        input,
                        env,
                        ..
                    } => (body.clone(), input.clone(), env.clone()),
                    _ => break,
                },
                _ => break,
            };
            self.steps += 1;
            if self.steps > self.max_steps {
                return Err(
                    Err::new("U1001").msg("Expression evaluation timeout: Check for infinite loop")
                );
            }
            let pnode = sub(&body.procedure);
            let next = self.eval(pnode, &tin, &tenv)?;
            let name = if pnode.t == T::Variable {
                Some(pnode.s.clone())
            } else {
                None
            };
            let mut args = vec![];
            for a in &body.exprs {
                args.push(self.eval(a, &tin, &tenv)?);
            }
            let site = (name, pnode.pos);
            let next = next.unwrap_or(V::Null);
            result = self.apply_inner(&next, args, input, env, Some(&site))?;
        }
        Ok(result)
    }

    fn apply_inner(
        &mut self,
        proc: &V,
        args: Vec<Option<V>>,
        input: &Option<V>,
        env: &Env,
        site: Option<&(Option<String>, usize)>,
    ) -> R {
        let r = self.apply_raw(proc, args, input, env);
        r.map_err(|mut e| {
            if let Some((name, pos)) = site {
                if proc.is_fn() {
                    if e.token.is_none() {
                        e.token = name.clone();
                    }
                    e.position = Some(*pos);
                }
            }
            e
        })
    }

    #[inline(never)]
    fn apply_lambda(&mut self, f: &Fun, args: Vec<Option<V>>, input: &Option<V>) -> R {
        if let Fun::Lambda {
            params,
            body,
            env: lenv,
            input: linput,
            sig,
            ..
        } = f
        {
            let args = match sig {
                Some(s) => s.validate(&args, input)?,
                None => args,
            };
            let frame = Frame::child(lenv);
            for (i, p) in params.iter().enumerate() {
                frame.bind(p, args.get(i).cloned().flatten());
            }
            return self.eval(body, linput, &frame);
        }
        Ok(None)
    }

    fn apply_raw(&mut self, proc: &V, args: Vec<Option<V>>, input: &Option<V>, env: &Env) -> R {
        let f = match proc {
            V::Fun(f) => f.clone(),
            _ => return Err(Err::new("T1006")),
        };
        if let Fun::Lambda { .. } = &*f {
            return self.apply_lambda(&f, args, input);
        }
        self.apply_other(&f, args, input, env)
    }

    #[inline(never)]
    fn apply_other(
        &mut self,
        f: &Rc<Fun>,
        args: Vec<Option<V>>,
        input: &Option<V>,
        env: &Env,
    ) -> R {
        match &**f {
            Fun::Lambda { .. } => self.apply_lambda(f, args, input),
            Fun::Native(name, sig) => {
                let args = sig.validate(&args, input)?;
                functions::call(self, name, args, input, env)
            }
            Fun::Partial(inner, bound) => {
                let mut it = args.into_iter();
                let full: Vec<Option<V>> = bound
                    .iter()
                    .map(|b| match b {
                        Some(v) => v.clone(),
                        None => it.next().flatten(),
                    })
                    .collect();
                self.apply(inner, full, input, env, None)
            }
            Fun::Regex(re) => {
                let s = match args.first() {
                    Some(Some(V::Str(s))) => s.clone(),
                    _ => return Ok(None),
                };
                Ok(functions::regex_match_obj(re, &s, 0))
            }
            Fun::RegexNext(re, s, from) => {
                if *from >= s.chars().count() {
                    return Ok(None);
                }
                let r = functions::regex_match_obj(re, s, *from);
                if let Some(V::Obj(o)) = &r {
                    if matches!(o.get("match"), Some(V::Str(m)) if m.is_empty()) {
                        return Err(Err::new("D1004").val(V::str(re.source())));
                    }
                }
                Ok(r)
            }
            Fun::Transform(node, tenv) => {
                let sig = Sig::parse("<(oa):o>")?;
                let args = sig.validate(&args, input)?;
                let obj = args.into_iter().next().flatten();
                self.transform(node, obj, tenv)
            }
            Fun::Chain(a, b) => {
                // jsonata-js runs `function($f, $g) { function($x){ $g($f($x)) } }`
                let site_f = (Some("f".to_string()), 40);
                let site_g = (Some("g".to_string()), 35);
                let r = self.apply(a, args, input, env, Some(&site_f))?;
                self.apply(b, vec![r], input, env, Some(&site_g))
            }
        }
    }

    fn transform(&mut self, node: &Node, obj: Option<V>, env: &Env) -> R {
        let obj = match obj {
            None => return Ok(None),
            Some(o) => o,
        };
        let clone = self.lookup(env, "clone");
        if !matches!(clone, Some(V::Fun(_))) {
            return Err(Err::new("T2013").pos(node.pos));
        }
        let copy = deep_clone(&obj);
        let matches = self.eval(sub(&node.lhs), &Some(copy.clone()), env)?;
        let list = match matches {
            None => return Ok(Some(copy)),
            Some(m) => items(&m),
        };
        let ptrs: Vec<*const Obj> = list
            .iter()
            .filter_map(|m| match m {
                V::Obj(o) => Some(Rc::as_ptr(o)),
                _ => None,
            })
            .collect();
        if ptrs.is_empty() {
            return Ok(Some(copy));
        }
        self.rebuild(&copy, &ptrs, node, env).map(Some)
    }

    fn rebuild(&mut self, v: &V, ptrs: &[*const Obj], node: &Node, env: &Env) -> Result<V, Err> {
        match v {
            V::Obj(o) => {
                let mut n = Obj::new();
                for (k, x) in o.iter() {
                    n.insert(k.clone(), self.rebuild(x, ptrs, node, env)?);
                }
                if ptrs.contains(&Rc::as_ptr(o)) {
                    let cur = Some(V::Obj(Rc::new(n.clone())));
                    let upd = self.eval(sub(&node.rhs), &cur, env)?;
                    match upd {
                        None => {}
                        Some(V::Obj(u)) => {
                            for (k, x) in u.iter() {
                                n.insert(k.clone(), x.clone());
                            }
                        }
                        Some(other) => {
                            return Err(Err::new("T2011").pos(sub(&node.rhs).pos).val(other));
                        }
                    }
                    if let Some(d) = &node.els {
                        let cur = Some(V::Obj(Rc::new(n.clone())));
                        let dels = self.eval(d, &cur, env)?;
                        if let Some(dv) = dels {
                            let list = items(&dv);
                            if !list.iter().all(|x| matches!(x, V::Str(_))) {
                                return Err(Err::new("T2012").pos(d.pos).val(dv));
                            }
                            for x in list {
                                if let V::Str(s) = x {
                                    n.shift_remove(&s);
                                }
                            }
                        }
                    }
                }
                Ok(V::Obj(Rc::new(n)))
            }
            V::Arr(a) => {
                let mut b = (**a).clone();
                b.v =
                    a.v.iter()
                        .map(|x| self.rebuild(x, ptrs, node, env))
                        .collect::<Result<_, _>>()?;
                Ok(V::Arr(Rc::new(b)))
            }
            other => Ok(other.clone()),
        }
    }

    fn eval_partial(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let mut bound = vec![];
        for a in &expr.exprs {
            if a.t == T::Operator && a.s == "?" {
                bound.push(None);
            } else {
                bound.push(Some(self.eval(a, input, env)?));
            }
        }
        let pnode = sub(&expr.procedure);
        let proc = self.eval(pnode, input, env)?;
        let name = procedure_name(pnode);
        if proc.is_none() && pnode.t == T::Path {
            if let Some(n) = &name {
                if self.lookup(env, n).is_some() {
                    return Err(Err::new("T1007").pos(expr.pos).tok(n));
                }
            }
        }
        match proc {
            Some(f @ V::Fun(_)) => {
                let arity = functions::arity(&f);
                let slots: Vec<Option<Option<V>>> = (0..arity)
                    .map(|i| match bound.get(i) {
                        Some(None) => None,
                        Some(Some(v)) => Some(v.clone()),
                        None => Some(None),
                    })
                    .collect();
                Ok(Some(V::Fun(Rc::new(Fun::Partial(f, slots)))))
            }
            _ => {
                let mut e = Err::new("T1008").pos(expr.pos);
                e.token = name;
                Err(e)
            }
        }
    }

    fn eval_apply(&mut self, expr: &Node, input: &Option<V>, env: &Env) -> R {
        let lhs = self.eval(sub(&expr.lhs), input, env)?;
        let rnode = sub(&expr.rhs);
        if rnode.t == T::Function {
            return self.eval_function(rnode, input, env, Some(lhs));
        }
        let func = self.eval(rnode, input, env)?;
        match func {
            Some(f @ V::Fun(_)) => {
                if let Some(l @ V::Fun(_)) = lhs {
                    Ok(Some(V::Fun(Rc::new(Fun::Chain(l, f)))))
                } else {
                    self.apply(&f, vec![lhs], input, env, None)
                }
            }
            other => {
                let mut e = Err::new("T2006").pos(expr.pos);
                if let Some(o) = other {
                    e = e.val(o);
                }
                Err(e)
            }
        }
    }
}

fn strict_eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Arr(x), V::Arr(y)) => Rc::ptr_eq(x, y),
        (V::Obj(x), V::Obj(y)) => Rc::ptr_eq(x, y),
        _ => deep_eq(a, b),
    }
}

fn deep_clone(v: &V) -> V {
    match v {
        V::Obj(o) => V::Obj(Rc::new(
            o.iter().map(|(k, x)| (k.clone(), deep_clone(x))).collect(),
        )),
        V::Arr(a) => {
            let mut b = (**a).clone();
            b.v = a.v.iter().map(deep_clone).collect();
            V::Arr(Rc::new(b))
        }
        other => other.clone(),
    }
}

fn reduce_tuples(data: &Option<V>) -> Obj {
    match data {
        Some(V::Arr(a))
            if !a.v.is_empty() && a.v.iter().all(|x| matches!(x, V::Obj(_))) && a.tuple_like() =>
        {
            let mut result = match &a.v[0] {
                V::Obj(o) => (**o).clone(),
                _ => Obj::new(),
            };
            for t in &a.v[1..] {
                if let V::Obj(o) = t {
                    for (k, v) in o.iter() {
                        let cur = result.shift_remove(k);
                        let nv = functions::append(cur, Some(v.clone()));
                        if let Some(nv) = nv {
                            result.insert(k.clone(), nv);
                        }
                    }
                }
            }
            result
        }
        Some(V::Obj(o)) => (**o).clone(),
        _ => Obj::new(),
    }
}

impl Arr {
    fn tuple_like(&self) -> bool {
        true
    }
}

fn sub_group(n: &Node) -> &Group {
    match &n.group {
        Some(g) => g,
        None => unreachable_group(),
    }
}

fn unreachable_group() -> &'static Group {
    thread_local! {
        static G: &'static Group = Box::leak(Box::new(Group { pairs: vec![], pos: 0 }));
    }
    G.with(|g| *g)
}

fn flat_opt(v: &[Option<V>]) -> Vec<V> {
    v.iter().flatten().cloned().collect()
}

/// jsonata-js's name for a called procedure (the token of errors it raises).
fn procedure_name(n: &Node) -> Option<String> {
    match n.t {
        T::Path => n.exprs.first().map(|s| s.s.clone()),
        T::Variable | T::Name | T::Wildcard | T::Descendant | T::Binary | T::Unary => {
            Some(n.s.clone())
        }
        T::Apply => Some("~>".into()),
        T::Bind => Some(":=".into()),
        T::Function | T::Partial => Some("(".into()),
        T::Num | T::Str | T::Value => n
            .lit
            .as_ref()
            .map(|l| super::functions::to_string(&l.to_v())),
        _ => None,
    }
}

pub fn sub(n: &Option<Box<Node>>) -> &Node {
    static EMPTY: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let _ = &EMPTY;
    match n {
        Some(b) => b,
        None => empty_node(),
    }
}

fn empty_node() -> &'static Node {
    thread_local! {
        static E: &'static Node = Box::leak(Box::new(Node::default()));
    }
    E.with(|e| *e)
}

/// JSONata's stable merge sort of indices (`cmp(a, b)` = "a goes after b"). The comparator
/// is `dyn`: one copy of the sort for every caller.
pub fn merge_sort(
    v: Vec<usize>,
    cmp: &mut dyn FnMut(usize, usize) -> Result<bool, Err>,
) -> Result<Vec<usize>, Err> {
    if v.len() <= 1 {
        return Ok(v);
    }
    let mid = v.len() / 2;
    let right = merge_sort(v[mid..].to_vec(), cmp)?;
    let left = merge_sort(v[..mid].to_vec(), cmp)?;
    let mut out = Vec::with_capacity(v.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if cmp(left[i], right[j])? {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    Ok(out)
}

fn wildcard(input: &Option<V>) -> Arr {
    let mut results = seq(vec![]);
    let input = match input {
        Some(V::Arr(a)) if a.outer && !a.v.is_empty() => Some(a.v[0].clone()),
        other => other.clone(),
    };
    let vals: Vec<V> = match &input {
        Some(V::Obj(o)) => o.values().cloned().collect(),
        Some(V::Arr(a)) => a.v.clone(),
        _ => vec![],
    };
    {
        for v in vals.iter() {
            match v {
                V::Arr(_) => {
                    let mut flat = vec![];
                    flatten(v, &mut flat);
                    results.v.extend(flat);
                }
                other => results.v.push(other.clone()),
            }
        }
    }
    results
}

fn flatten(v: &V, out: &mut Vec<V>) {
    match v {
        V::Arr(a) => a.v.iter().for_each(|x| flatten(x, out)),
        other => out.push(other.clone()),
    }
}

fn descendants(input: &Option<V>) -> Option<V> {
    let input = input.as_ref()?;
    let mut out = vec![];
    fn rec(v: &V, out: &mut Vec<V>) {
        match v {
            V::Arr(a) => a.v.iter().for_each(|x| rec(x, out)),
            V::Obj(o) => {
                out.push(v.clone());
                o.values().for_each(|x| rec(x, out));
            }
            other => out.push(other.clone()),
        }
    }
    rec(input, &mut out);
    if out.len() == 1 {
        out.pop()
    } else {
        Some(V::seq(out))
    }
}
