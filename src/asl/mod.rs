//! The typed model of a definition: states, their fields and the query language, built
//! from a validated JSON value. The executor reads this, never re-parses the raw JSON.
//!
//! Fields that hold templates or expressions (Parameters, Arguments, Output, Assign, ...)
//! stay JSON values: their meaning depends on the query language. For JSONPath states
//! they are also compiled here ([`Compiled`]: parsed paths and intrinsic calls, literal
//! parts as shared values, Choice rules with their targets resolved), so that a visit
//! evaluates them without parsing, hashing text or copying literals.

use crate::choice::Rule;
use crate::exec::history::TaskDetails;
use crate::exec::{task_kind, TaskKind};
use crate::path::{Path, ReferencePath, Template};
use crate::validate::{pointer_token, Diagnostic};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    Jsonata,
}

impl QueryLanguage {
    fn parse(value: Option<&Value>, inherited: QueryLanguage) -> QueryLanguage {
        match value.and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::Jsonata,
            Some("JSONPath") => QueryLanguage::JsonPath,
            _ => inherited,
        }
    }
}

/// A state machine or a nested one (Parallel branch, Map item processor).
#[derive(Debug)]
pub struct Machine {
    pub start_at: usize,
    pub states: Vec<State>,
    pub index: HashMap<String, usize>,
    pub query_language: QueryLanguage,
    pub timeout_seconds: Option<u64>,
}

impl Machine {
    pub fn state_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }
}

/// A path field of a JSONPath state: absent (defaults to `$`), `null`, or a path.
#[derive(Clone, Debug)]
pub enum PathField {
    Default,
    Null,
    Path(Path),
}

impl PathField {
    fn parse(value: Option<&Value>) -> PathField {
        match value {
            None => PathField::Default,
            Some(Value::Null) => PathField::Null,
            Some(Value::String(s)) => PathField::Path(Path::new(s)),
            Some(_) => PathField::Default,
        }
    }
}

/// ResultPath: absent (`$`: the result replaces the input), `null` (the input is kept),
/// or a reference path.
#[derive(Clone, Debug)]
pub enum ResultPathField {
    Default,
    Null,
    Path(ReferencePath),
}

impl ResultPathField {
    fn parse(value: Option<&Value>) -> ResultPathField {
        match value {
            None => ResultPathField::Default,
            Some(Value::Null) => ResultPathField::Null,
            Some(Value::String(s)) => ResultPathField::Path(ReferencePath::new(s)),
            Some(_) => ResultPathField::Default,
        }
    }
}

/// A JSONPath state's templates, compiled (empty for JSONata states).
#[derive(Clone, Debug, Default)]
pub struct Compiled {
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub assign: Option<Template>,
    /// Map: ItemSelector (or its older name, Parameters).
    pub item_selector: Option<Template>,
    /// Pass: Result as a shared value.
    pub result: Option<crate::value::Value>,
    /// Choice: the rules, in order.
    pub choices: Vec<ChoiceRule>,
}

/// A compiled Choice rule and where it leads.
#[derive(Clone, Debug)]
pub struct ChoiceRule {
    pub rule: Rule,
    /// `None` when the rule has no `Next` text: a match then counts as no match (the
    /// Default applies), as the JSON evaluation does.
    pub next: Option<ChoiceNext>,
}

#[derive(Clone, Debug)]
pub struct ChoiceNext {
    /// The target state's index (`None` if no state has the name).
    pub state: Option<usize>,
    /// The Assign of the first rule with this same Next (how the engine has always
    /// looked it up).
    pub assign: Option<Template>,
}

#[derive(Clone, Debug)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: f64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub jitter_full: bool,
}

#[derive(Clone, Debug)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: usize,
    /// JSONPath: where the error output goes (default `$`).
    pub result_path: ResultPathField,
    /// JSONPath: Assign, compiled.
    pub assign_template: Option<Template>,
    /// JSONata: the catcher's Output expression.
    pub output: Option<Value>,
    pub assign: Option<Value>,
}

#[derive(Debug)]
pub struct State {
    pub name: String,
    /// The name again, shared by the history events of every visit (no copy per event).
    pub shared_name: Rc<str>,
    pub kind: Kind,
    pub query_language: QueryLanguage,
    pub next: Option<usize>,
    pub end: bool,
    pub input_path: PathField,
    pub output_path: PathField,
    pub result_path: ResultPathField,
    pub parameters: Option<Value>,
    pub result_selector: Option<Value>,
    pub arguments: Option<Value>,
    pub output: Option<Value>,
    pub assign: Option<Value>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    /// Whether any field mentions the context object (`$$` / `$states.context`), so the
    /// executor builds it only for states that read it.
    pub uses_context: bool,
    /// Whether a field can read `$$.Execution.Input` (the whole context object counts).
    pub uses_execution_input: bool,
    /// The state as written, for fields read rarely.
    pub raw: Map<String, Value>,
    /// JSONPath states: the templates and rules above, compiled.
    pub compiled: Compiled,
}

impl State {
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

#[derive(Debug)]
pub enum Kind {
    Pass {
        result: Option<Value>,
    },
    Task(Task),
    Choice {
        choices: Vec<Value>,
        default: Option<usize>,
    },
    Wait,
    Succeed,
    Fail,
    Parallel {
        branches: Vec<Rc<Machine>>,
    },
    Map(MapState),
}

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Pass { .. } => "Pass",
            Kind::Task(_) => "Task",
            Kind::Choice { .. } => "Choice",
            Kind::Wait => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail => "Fail",
            Kind::Parallel { .. } => "Parallel",
            Kind::Map(_) => "Map",
        }
    }
}

#[derive(Debug)]
pub struct Task {
    /// Shared with every call's `Invocation`, as are its name and kind.
    pub resource: Rc<str>,
    /// The Resource classified once at build time; `None` for `lambda:invoke`, whose
    /// function comes from each call's FunctionName parameter.
    pub kind: Option<Rc<TaskKind>>,
    /// The state sets TimeoutSeconds(Path) or HeartbeatSeconds(Path): when not, a call
    /// skips looking them up.
    pub timed: bool,
    /// The `.sync` integration pattern (`.sync` or `.sync:2`).
    pub sync: bool,
    /// Its history events' details that are the same for every call.
    pub details: TaskDetails,
}

#[derive(Debug)]
pub struct MapState {
    pub processor: Rc<Machine>,
    pub distributed: bool,
}

/// Builds the model from a definition that passed validation. Problems that validation
/// should have caught are still reported, never panicked on.
pub fn build(definition: &Value) -> Result<Rc<Machine>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let machine = build_machine(definition, "", QueryLanguage::JsonPath, &mut problems);
    match machine {
        Some(m) if problems.is_empty() => Ok(Rc::new(m)),
        _ => Err(problems),
    }
}

fn build_machine(
    value: &Value,
    at: &str,
    inherited: QueryLanguage,
    problems: &mut Vec<Diagnostic>,
) -> Option<Machine> {
    let Some(obj) = value.as_object() else {
        problems.push(Diagnostic::error(
            "INVALID_TYPE",
            "A state machine must be an object",
            at,
        ));
        return None;
    };
    let query_language = QueryLanguage::parse(obj.get("QueryLanguage"), inherited);
    let Some(states_obj) = obj.get("States").and_then(Value::as_object) else {
        problems.push(Diagnostic::error(
            "MISSING_FIELD",
            "The field 'States' is required",
            at,
        ));
        return None;
    };
    let index: HashMap<String, usize> = states_obj
        .keys()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let start_name = obj
        .get("StartAt")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(start_at) = index.get(start_name).copied() else {
        problems.push(Diagnostic::error(
            "UNKNOWN_START_AT",
            format!("StartAt '{start_name}' does not name a state"),
            format!("{at}/StartAt"),
        ));
        return None;
    };
    let mut states = Vec::with_capacity(states_obj.len());
    for (name, raw) in states_obj {
        let here = format!("{at}/States/{}", pointer_token(name));
        if let Some(state) = build_state(name, raw, &here, &index, query_language, problems) {
            states.push(state);
        }
    }
    if states.len() != states_obj.len() {
        return None;
    }
    let timeout_seconds = obj.get("TimeoutSeconds").and_then(Value::as_u64);
    Some(Machine {
        start_at,
        states,
        index,
        query_language,
        timeout_seconds,
    })
}

fn target(
    value: Option<&Value>,
    index: &HashMap<String, usize>,
    at: String,
    problems: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let name = value?.as_str()?;
    match index.get(name) {
        Some(i) => Some(*i),
        None => {
            problems.push(Diagnostic::error(
                "UNKNOWN_NEXT",
                format!("Next target '{name}' does not exist"),
                at,
            ));
            None
        }
    }
}

fn mentions_context(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("$$") || s.contains("context"),
        Value::Array(items) => items.iter().any(mentions_context),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains("$$") || mentions_context(v)),
        _ => false,
    }
}

/// Whether a field may read the execution input through the context object: `$$`,
/// `$$.Execution` or `$$.Execution.Input...` in JSONPath, `$states.context` in JSONata.
/// JSONata's `$states` used as a whole (e.g. `{% $states %}`), not only its input,
/// result or errorOutput: it includes the context object.
fn mentions_whole_states(s: &str) -> bool {
    s.match_indices("$states").any(|(at, _)| {
        let rest = &s[at + "$states".len()..];
        ![".input", ".result", ".errorOutput"]
            .iter()
            .any(|field| rest.starts_with(field))
    })
}

pub fn mentions_execution_input(value: &Value) -> bool {
    match value {
        Value::String(s) => {
            s.contains("$$.Execution.Input")
                || s.contains("states.context")
                || s.split(|c: char| !(c == '$' || c == '.' || c.is_alphanumeric()))
                    .any(|t| t == "$$" || t == "$$.Execution")
                || mentions_whole_states(s)
        }
        Value::Array(items) => items.iter().any(mentions_execution_input),
        Value::Object(map) => map.values().any(mentions_execution_input),
        _ => false,
    }
}

fn build_state(
    name: &str,
    raw: &Value,
    at: &str,
    index: &HashMap<String, usize>,
    inherited: QueryLanguage,
    problems: &mut Vec<Diagnostic>,
) -> Option<State> {
    let Some(obj) = raw.as_object() else {
        problems.push(Diagnostic::error(
            "INVALID_TYPE",
            format!("State '{name}' must be an object"),
            at,
        ));
        return None;
    };
    let query_language = QueryLanguage::parse(obj.get("QueryLanguage"), inherited);
    let type_name = obj.get("Type").and_then(Value::as_str).unwrap_or_default();
    let next = target(obj.get("Next"), index, format!("{at}/Next"), problems);
    let kind = match type_name {
        "Pass" => Kind::Pass {
            result: obj.get("Result").cloned(),
        },
        "Task" => {
            let resource = obj
                .get("Resource")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let kind = match task_kind(&resource, &Value::Null) {
                TaskKind::LambdaInvoke { .. } => None,
                kind => Some(kind),
            };
            let timed = [
                "TimeoutSeconds",
                "TimeoutSecondsPath",
                "HeartbeatSeconds",
                "HeartbeatSecondsPath",
            ]
            .iter()
            .any(|field| obj.contains_key(*field));
            let details = TaskDetails::new(&resource, kind.as_ref(), timed);
            Kind::Task(Task {
                sync: resource.ends_with(".sync") || resource.contains(".sync:"),
                resource: resource.into(),
                kind: kind.map(Rc::new),
                timed,
                details,
            })
        }
        "Choice" => Kind::Choice {
            choices: obj
                .get("Choices")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
            default: target(obj.get("Default"), index, format!("{at}/Default"), problems),
        },
        "Wait" => Kind::Wait,
        "Succeed" => Kind::Succeed,
        "Fail" => Kind::Fail,
        "Parallel" => {
            let mut branches = Vec::new();
            for (i, branch) in obj
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let branch = build_machine(
                    branch,
                    &format!("{at}/Branches/{i}"),
                    query_language,
                    problems,
                )?;
                branches.push(Rc::new(branch));
            }
            Kind::Parallel { branches }
        }
        "Map" => {
            let (key, processor) = match (obj.get("ItemProcessor"), obj.get("Iterator")) {
                (Some(p), _) => ("ItemProcessor", p),
                (None, Some(p)) => ("Iterator", p),
                (None, None) => {
                    problems.push(Diagnostic::error(
                        "MISSING_FIELD",
                        "A Map state needs an ItemProcessor",
                        at,
                    ));
                    return None;
                }
            };
            let distributed = processor
                .pointer("/ProcessorConfig/Mode")
                .and_then(Value::as_str)
                == Some("DISTRIBUTED");
            let machine =
                build_machine(processor, &format!("{at}/{key}"), query_language, problems)?;
            Kind::Map(MapState {
                processor: Rc::new(machine),
                distributed,
            })
        }
        other => {
            problems.push(Diagnostic::error(
                "UNKNOWN_STATE_TYPE",
                format!("State '{name}' has unknown Type '{other}'"),
                format!("{at}/Type"),
            ));
            return None;
        }
    };
    let retry = obj
        .get("Retry")
        .and_then(Value::as_array)
        .map(|r| r.iter().map(build_retrier).collect())
        .unwrap_or_default();
    let mut catch = Vec::new();
    for (i, c) in obj
        .get("Catch")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let next = target(
            c.get("Next"),
            index,
            format!("{at}/Catch/{i}/Next"),
            problems,
        )?;
        catch.push(Catcher {
            error_equals: string_list(c.get("ErrorEquals")),
            next,
            result_path: ResultPathField::parse(c.get("ResultPath")),
            output: c.get("Output").cloned(),
            assign: c.get("Assign").cloned(),
            assign_template: c.get("Assign").map(Template::compile),
        });
    }
    Some(State {
        name: name.to_string(),
        shared_name: Rc::from(name),
        kind,
        query_language,
        next,
        end: obj.get("End").and_then(Value::as_bool).unwrap_or(false),
        input_path: PathField::parse(obj.get("InputPath")),
        output_path: PathField::parse(obj.get("OutputPath")),
        result_path: ResultPathField::parse(obj.get("ResultPath")),
        parameters: obj.get("Parameters").cloned(),
        result_selector: obj.get("ResultSelector").cloned(),
        arguments: obj.get("Arguments").cloned(),
        output: obj.get("Output").cloned(),
        assign: obj.get("Assign").cloned(),
        retry,
        catch,
        uses_context: mentions_context(raw),
        uses_execution_input: mentions_execution_input(raw),
        raw: obj.clone(),
        compiled: if query_language == QueryLanguage::JsonPath {
            compile_jsonpath(obj, index)
        } else {
            Compiled::default()
        },
    })
}

/// The compiled forms of a JSONPath state's templates and Choice rules.
fn compile_jsonpath(obj: &Map<String, Value>, index: &HashMap<String, usize>) -> Compiled {
    let template = |key: &str| obj.get(key).map(Template::compile);
    let mut compiled = Compiled {
        parameters: template("Parameters"),
        result_selector: template("ResultSelector"),
        assign: template("Assign"),
        item_selector: obj
            .get("ItemSelector")
            .or_else(|| obj.get("Parameters"))
            .map(Template::compile),
        result: obj.get("Result").map(crate::value::Value::from),
        choices: Vec::new(),
    };
    let rules = obj.get("Choices").and_then(Value::as_array);
    for rule in rules.into_iter().flatten() {
        let next = rule.get("Next").and_then(Value::as_str).map(|name| {
            let first = rules
                .into_iter()
                .flatten()
                .find(|c| c.get("Next").and_then(Value::as_str) == Some(name));
            ChoiceNext {
                state: index.get(name).copied(),
                assign: first.and_then(|r| r.get("Assign")).map(Template::compile),
            }
        });
        compiled.choices.push(ChoiceRule {
            rule: Rule::compile(rule),
            next,
        });
    }
    compiled
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn build_retrier(value: &Value) -> Retrier {
    let number = |key: &str| value.get(key).and_then(Value::as_f64);
    Retrier {
        error_equals: string_list(value.get("ErrorEquals")),
        interval_seconds: number("IntervalSeconds").unwrap_or(1.0),
        max_attempts: value
            .get("MaxAttempts")
            .and_then(Value::as_u64)
            .unwrap_or(3)
            .min(u32::MAX as u64) as u32,
        backoff_rate: number("BackoffRate").unwrap_or(2.0),
        max_delay_seconds: number("MaxDelaySeconds"),
        jitter_full: value.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
    }
}
