//! An in-memory DynamoDB: tables with a key schema (partition key, optional sort key)
//! and items in DynamoDB's typed attribute values (`{"S": "a"}`, `{"N": "1"}`, ...).
//! GetItem, PutItem, UpdateItem, DeleteItem, Query and Scan, with the subset of
//! DynamoDB's expression language workflows use: update actions SET (`a = :v`,
//! `a = a + :n`, `if_not_exists`, `list_append`), REMOVE, ADD, DELETE; conditions with
//! comparisons, BETWEEN, IN, AND/OR/NOT, attribute_exists, attribute_not_exists,
//! begins_with, contains and size; `#name` placeholders. Nested paths (`a.b`, `a[0]`)
//! are not simulated and fail with a ValidationException that says so.

use super::{seed_object, text, ApiError, ApiResult};
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;

type Item = Map<String, Value>;

#[derive(Clone, Debug, Default)]
pub struct DynamoDb {
    pub tables: BTreeMap<String, Table>,
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    pub partition_key: String,
    pub sort_key: Option<String>,
    /// In insertion order; a put that replaces an item keeps its place.
    pub items: Vec<Item>,
}

fn not_found() -> ApiError {
    ApiError::new("ResourceNotFoundException", "Requested resource not found")
}

fn condition_failed() -> ApiError {
    ApiError::new(
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
}

impl DynamoDb {
    /// `{ tables: { NAME: { keySchema: { partitionKey, sortKey? }, items?: [item] } } }`.
    pub fn seed(&mut self, seed: &Value) -> Result<(), String> {
        let map = seed_object(seed, "dynamodb", &["tables"])?;
        let Some(tables) = map.get("tables") else {
            return Ok(());
        };
        let Value::Object(tables) = tables else {
            return Err(
                "dynamodb.tables must be an object of table name -> {keySchema, items}".into(),
            );
        };
        for (name, spec) in tables {
            let at = format!("dynamodb.tables.{name}");
            let schema = spec.get("keySchema").ok_or_else(|| {
                format!("{at}.keySchema is missing; expected {{partitionKey: \"pk\", sortKey?: \"sk\"}}")
            })?;
            let key = |k: &str| schema.get(k).and_then(Value::as_str).map(str::to_string);
            let partition_key = key("partitionKey")
                .ok_or_else(|| format!("{at}.keySchema.partitionKey must be a string"))?;
            let sort_key = key("sortKey");
            if schema.get("sortKey").is_some() && sort_key.is_none() {
                return Err(format!("{at}.keySchema.sortKey must be a string"));
            }
            let table = self.tables.entry(name.clone()).or_default();
            if !table.partition_key.is_empty()
                && (table.partition_key != partition_key || table.sort_key != sort_key)
            {
                return Err(format!(
                    "{at}.keySchema differs from the table's existing key schema"
                ));
            }
            table.partition_key = partition_key;
            table.sort_key = sort_key;
            let items = match spec.get("items") {
                None => continue,
                Some(Value::Array(items)) => items,
                Some(_) => return Err(format!("{at}.items must be an array of items")),
            };
            for (i, item) in items.iter().enumerate() {
                let item = table
                    .valid_item(item.as_object())
                    .map_err(|e| {
                        let hint = if e.message.contains("Supplied AttributeValue") {
                            "; values are typed, e.g. {\"S\": \"text\"}, {\"N\": \"1\"}, {\"BOOL\": true}"
                        } else {
                            ""
                        };
                        format!("{at}.items[{i}]: {}{hint}", e.message)
                    })?;
                table.put(item);
            }
        }
        Ok(())
    }

    pub fn snapshot(&self) -> Value {
        let tables: Map<String, Value> = self
            .tables
            .iter()
            .map(|(name, t)| {
                let mut schema = json!({ "partitionKey": t.partition_key });
                if let Some(sk) = &t.sort_key {
                    schema["sortKey"] = json!(sk);
                }
                (
                    name.clone(),
                    json!({ "keySchema": schema, "items": t.items }),
                )
            })
            .collect();
        json!({ "tables": tables })
    }

    /// `None` for an API this simulation does not implement.
    pub fn call(&mut self, action: &str, input: &Value) -> Option<ApiResult> {
        const ACTIONS: [&str; 6] = [
            "getItem",
            "putItem",
            "updateItem",
            "deleteItem",
            "query",
            "scan",
        ];
        if !ACTIONS.contains(&action) {
            return None;
        }
        let table = unused_placeholders(input)
            .and_then(|_| text(input, "TableName"))
            .and_then(|name| self.tables.get_mut(name).ok_or_else(not_found));
        Some(table.and_then(|table| match action {
            "getItem" => table.get_item(input),
            "putItem" => table.put_item(input),
            "updateItem" => table.update_item(input),
            "deleteItem" => table.delete_item(input),
            "query" => table.query(input, true),
            _ => table.query(input, false),
        }))
    }
}

impl Table {
    fn position(&self, key: &Item) -> Option<usize> {
        self.items.iter().position(|item| {
            key.iter()
                .all(|(k, v)| item.get(k).is_some_and(|w| equal(v, w)))
        })
    }

    fn key_names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.partition_key).chain(self.sort_key.as_ref())
    }

    fn key_of(&self, item: &Item) -> Item {
        self.key_names()
            .filter_map(|k| item.get(k).map(|v| (k.clone(), v.clone())))
            .collect()
    }

    fn put(&mut self, item: Item) {
        match self.position(&self.key_of(&item)) {
            Some(i) => self.items[i] = item,
            None => self.items.push(item),
        }
    }

    /// A request's `Key`: exactly the key attributes, each a string, number or binary.
    fn key(&self, input: &Value) -> Result<Item, ApiError> {
        let mismatch =
            || ApiError::validation("The provided key element does not match the schema");
        let Some(Value::Object(key)) = input.get("Key") else {
            return Err(mismatch());
        };
        let scalar = |v: &Value| {
            check_value(v).is_ok() && ["S", "N", "B"].iter().any(|t| v.get(t).is_some())
        };
        let expected = self.key_names().count();
        if key.len() != expected || !self.key_names().all(|k| key.get(k).is_some_and(scalar)) {
            return Err(mismatch());
        }
        Ok(key.clone())
    }

    /// A whole item to store: typed values, with the key attributes present.
    fn valid_item(&self, item: Option<&Item>) -> Result<Item, ApiError> {
        let invalid = |m: String| {
            ApiError::validation(format!("One or more parameter values were invalid: {m}"))
        };
        let Some(item) = item else {
            return Err(invalid(
                "Item must be an object of attribute name -> typed value".into(),
            ));
        };
        for (name, value) in item {
            check_value(value).map_err(|e| invalid(format!("{e} (attribute {name})")))?;
        }
        for k in self.key_names() {
            if !item.contains_key(k) {
                return Err(invalid(format!("Missing the key {k} in the item")));
            }
        }
        Ok(item.clone())
    }

    fn get_item(&self, input: &Value) -> ApiResult {
        let key = self.key(input)?;
        let projection = Projection::new(input)?;
        Ok(match self.position(&key) {
            Some(i) => json!({ "Item": projection.apply(&self.items[i]) }),
            None => json!({}),
        })
    }

    /// The stored item for a request's key (if any), after checking its condition.
    fn checked(&self, input: &Value, key: &Item) -> Result<Option<usize>, ApiError> {
        let at = self.position(key);
        if let Some(text) = input.get("ConditionExpression").and_then(Value::as_str) {
            let cond = Parser::new(text, input, "ConditionExpression")?.condition_only()?;
            let empty = Item::new();
            let item = at.map_or(&empty, |i| &self.items[i]);
            if !cond.test(item)? {
                return Err(condition_failed());
            }
        }
        Ok(at)
    }

    fn put_item(&mut self, input: &Value) -> ApiResult {
        let item = self.valid_item(input.get("Item").and_then(Value::as_object))?;
        let return_all_old = return_values(input, &["NONE", "ALL_OLD"])? == "ALL_OLD";
        let at = self.checked(input, &self.key_of(&item))?;
        let old = match at {
            Some(i) => Some(std::mem::replace(&mut self.items[i], item)),
            None => {
                self.items.push(item);
                None
            }
        };
        Ok(attributes(old.filter(|_| return_all_old)))
    }

    fn delete_item(&mut self, input: &Value) -> ApiResult {
        let key = self.key(input)?;
        let return_all_old = return_values(input, &["NONE", "ALL_OLD"])? == "ALL_OLD";
        let old = self.checked(input, &key)?.map(|i| self.items.remove(i));
        Ok(attributes(old.filter(|_| return_all_old)))
    }

    fn update_item(&mut self, input: &Value) -> ApiResult {
        let key = self.key(input)?;
        let mode = return_values(
            input,
            &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
        )?;
        let actions = match input.get("UpdateExpression").and_then(Value::as_str) {
            Some(text) => Parser::new(text, input, "UpdateExpression")?.update()?,
            None => Vec::new(),
        };
        let at = self.checked(input, &key)?;
        let old = at.map(|i| self.items[i].clone());
        let mut new = old.clone().unwrap_or_else(|| key.clone());
        let base = new.clone();
        let mut updated = Vec::new();
        for action in &actions {
            let name = action.path();
            if self.key_names().any(|k| k == name) {
                return Err(ApiError::validation(format!(
                    "One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
                )));
            }
            action.apply(&base, &mut new)?;
            updated.push(name.to_string());
        }
        match at {
            Some(i) => self.items[i] = new.clone(),
            None => self.items.push(new.clone()),
        }
        let pick = |item: &Item| -> Item {
            item.iter()
                .filter(|(k, _)| updated.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        Ok(match mode {
            "ALL_OLD" => attributes(old),
            "UPDATED_OLD" => attributes(old.map(|o| pick(&o))),
            "ALL_NEW" => attributes(Some(new)),
            "UPDATED_NEW" => attributes(Some(pick(&new))),
            _ => json!({}),
        })
    }

    /// Query (`keyed`) or Scan: matching items in sort-key order, then Limit, then
    /// FilterExpression, as DynamoDB applies them.
    fn query(&self, input: &Value, keyed: bool) -> ApiResult {
        if input.get("IndexName").is_some() {
            return Err(ApiError::validation(
                "Statelab's in-memory DynamoDB has no secondary indexes (IndexName)",
            ));
        }
        let key_cond = if keyed {
            let text = input
                .get("KeyConditionExpression")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::validation(
                        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
                    )
                })?;
            let cond = Parser::new(text, input, "KeyConditionExpression")?.condition_only()?;
            if !cond
                .conjuncts()
                .iter()
                .any(|c| c.is_equality_on(&self.partition_key))
            {
                return Err(ApiError::validation(format!(
                    "Query condition missed key schema element: {}",
                    self.partition_key
                )));
            }
            Some(cond)
        } else {
            None
        };
        let filter = match input.get("FilterExpression").and_then(Value::as_str) {
            Some(text) => Some(Parser::new(text, input, "FilterExpression")?.condition_only()?),
            None => None,
        };
        let mut matched = Vec::new();
        for item in &self.items {
            if key_cond.as_ref().map_or(Ok(true), |c| c.test(item))? {
                matched.push(item);
            }
        }
        if let Some(sk) = self.sort_key.as_ref().filter(|_| keyed) {
            crate::sort::sort_by(&mut matched, |a, b| match (a.get(sk), b.get(sk)) {
                (Some(a), Some(b)) => compare(a, b).unwrap_or(Ordering::Equal),
                _ => Ordering::Equal,
            });
            if input.get("ScanIndexForward") == Some(&Value::Bool(false)) {
                matched.reverse();
            }
        }
        if let Some(Value::Object(start)) = input.get("ExclusiveStartKey") {
            // Pagination: continue after the item the previous page ended with.
            let after = matched.iter().position(|item| {
                start
                    .iter()
                    .all(|(k, v)| item.get(k).is_some_and(|w| equal(v, w)))
            });
            matched.drain(..after.map_or(0, |i| i + 1));
        }
        let limit = input
            .get("Limit")
            .and_then(Value::as_u64)
            .map(|n| n as usize);
        let truncated = limit.is_some_and(|n| n < matched.len());
        matched.truncate(limit.unwrap_or(usize::MAX));
        let projection = Projection::new(input)?;
        let mut items = Vec::new();
        for item in &matched {
            if filter.as_ref().map_or(Ok(true), |c| c.test(item))? {
                items.push(Value::Object(projection.apply(item)));
            }
        }
        let mut out = json!({ "Count": items.len(), "ScannedCount": matched.len() });
        if input.get("Select").and_then(Value::as_str) != Some("COUNT") {
            out["Items"] = Value::Array(items);
        }
        if let Some(last) = matched.last().filter(|_| truncated) {
            out["LastEvaluatedKey"] = Value::Object(self.key_of(last));
        }
        Ok(out)
    }
}

/// DynamoDB rejects placeholders that no expression of the request uses.
fn unused_placeholders(input: &Value) -> Result<(), ApiError> {
    const EXPRESSIONS: [&str; 5] = [
        "UpdateExpression",
        "ConditionExpression",
        "KeyConditionExpression",
        "FilterExpression",
        "ProjectionExpression",
    ];
    let texts: Vec<&str> = EXPRESSIONS
        .iter()
        .filter_map(|k| input.get(*k).and_then(Value::as_str))
        .collect();
    let mentioned = |token: &str| {
        texts.iter().any(|text| {
            text.match_indices(token).any(|(at, _)| {
                !text[at + token.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        })
    };
    for field in ["ExpressionAttributeNames", "ExpressionAttributeValues"] {
        let Some(map) = input.get(field).and_then(Value::as_object) else {
            continue;
        };
        let unused: Vec<&str> = map
            .keys()
            .filter(|k| !mentioned(k))
            .map(String::as_str)
            .collect();
        if !unused.is_empty() {
            return Err(ApiError::validation(format!(
                "Value provided in {field} unused in expressions: keys: {{{}}}",
                unused.join(", ")
            )));
        }
    }
    Ok(())
}

fn return_values<'a>(input: &'a Value, allowed: &[&str]) -> Result<&'a str, ApiError> {
    match input.get("ReturnValues").and_then(Value::as_str) {
        None => Ok("NONE"),
        Some(mode) if allowed.contains(&mode) => Ok(mode),
        Some(_) if allowed.len() == 2 => Err(ApiError::validation(
            "Return values set to invalid value",
        )),
        Some(mode) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{mode}' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ))),
    }
}

fn attributes(item: Option<Item>) -> Value {
    match item {
        Some(item) if !item.is_empty() => json!({ "Attributes": item }),
        _ => json!({}),
    }
}

/// A typed attribute value, as DynamoDB validates it.
fn check_value(value: &Value) -> Result<(), String> {
    check_nested(value, 0)
}

fn check_nested(value: &Value, depth: usize) -> Result<(), String> {
    if depth > 32 {
        return Err("Nesting Levels have exceeded supported limits".into());
    }
    let nested = |v: &Value| check_nested(v, depth + 1);
    let all = |items: &Vec<Value>, ok: &dyn Fn(&Value) -> bool| items.iter().all(ok);
    let is_number = |v: &Value| {
        v.as_str()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .is_some_and(f64::is_finite)
    };
    let Some((kind, inner)) = value
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
    else {
        return Err(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
                .into(),
        );
    };
    let ok = match (kind.as_str(), inner) {
        ("S" | "B", Value::String(_)) | ("BOOL", Value::Bool(_)) | ("NULL", Value::Bool(true)) => {
            true
        }
        ("N", v) if is_number(v) => true,
        ("N", _) => return Err("A value provided cannot be converted into a number".into()),
        ("M", Value::Object(m)) => return m.values().try_for_each(nested),
        ("L", Value::Array(l)) => return l.iter().try_for_each(nested),
        ("SS" | "BS", Value::Array(s)) => !s.is_empty() && all(s, &Value::is_string),
        ("NS", Value::Array(s)) => !s.is_empty() && all(s, &is_number),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "Supplied AttributeValue has an invalid {kind} value"
        ))
    }
}

fn number(value: &Value) -> Option<f64> {
    value.get("N")?.as_str()?.trim().parse().ok()
}

/// DynamoDB equality: numbers by value, sets regardless of order.
fn equal(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x == y;
    }
    for set in ["SS", "NS", "BS"] {
        if let (Some(Value::Array(x)), Some(Value::Array(y))) = (a.get(set), b.get(set)) {
            return x.len() == y.len() && x.iter().all(|v| y.contains(v));
        }
    }
    a == b
}

/// Ordering of two values of the same scalar type (`None` otherwise).
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x.partial_cmp(&y);
    }
    for kind in ["S", "B"] {
        if let (Some(Value::String(x)), Some(Value::String(y))) = (a.get(kind), b.get(kind)) {
            return Some(x.as_bytes().cmp(y.as_bytes()));
        }
    }
    None
}

/// `a + b` or `a - b` on DynamoDB number text, exact for integers.
fn arithmetic(a: &str, b: &str, minus: bool) -> Option<String> {
    let (a, b) = (a.trim(), b.trim());
    if let (Ok(x), Ok(y)) = (a.parse::<i128>(), b.parse::<i128>()) {
        return if minus {
            x.checked_sub(y)
        } else {
            x.checked_add(y)
        }
        .map(|n| n.to_string());
    }
    let (x, y) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
    let n = if minus { x - y } else { x + y };
    if !n.is_finite() {
        return None;
    }
    Some(if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    })
}

fn wrong_type() -> ApiError {
    ApiError::validation("An operand in the update expression has an incorrect data type")
}

// --- expressions ---------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    /// `#name`, resolved through ExpressionAttributeNames.
    Name(String),
    /// `:value`, resolved through ExpressionAttributeValues.
    Value(String),
    Symbol(&'static str),
}

#[derive(Clone, Debug)]
enum Operand {
    Path(String),
    Value(Value),
    IfNotExists(String, Box<Operand>),
    ListAppend(Box<Operand>, Box<Operand>),
    Size(String),
    Arithmetic(Box<Operand>, bool, Box<Operand>),
}

#[derive(Clone, Debug)]
enum Cond {
    /// Chains are flat so that a long `a OR b OR ...` does not nest.
    Or(Vec<Cond>),
    And(Vec<Cond>),
    Not(Box<Cond>),
    Exists(String, bool),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    Compare(Operand, &'static str, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
}

#[derive(Clone, Debug)]
enum Action {
    Set(String, Operand),
    Remove(String),
    Add(String, Value),
    Delete(String, Value),
}

const KEYWORDS: [&str; 9] = [
    "AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE",
];
const SYMBOLS: [&str; 14] = [
    "<=", ">=", "<>", "=", "<", ">", "(", ")", ",", "+", "-", ".", "[", "]",
];

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    values: Option<&'a Map<String, Value>>,
    kind: &'static str,
    /// How much deeper conditions and operands may nest: bounds the parser's recursion.
    nesting: u32,
}

impl<'a> Parser<'a> {
    fn new(text: &str, input: &'a Value, kind: &'static str) -> Result<Parser<'a>, ApiError> {
        let names = input
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object);
        let invalid = |m: String| ApiError::validation(format!("Invalid {kind}: {m}"));
        if text.len() > 4096 {
            return Err(invalid(format!(
                "Expression size has exceeded the maximum allowed size; expression size: {}",
                text.len()
            )));
        }
        let mut tokens = Vec::new();
        let mut rest = text.trim_start();
        while let Some(c) = rest.chars().next() {
            let word_len = |s: &str| {
                s.find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(s.len())
            };
            if c == '#' || c == ':' {
                let len = 1 + word_len(&rest[1..]);
                let token = &rest[..len];
                tokens.push(if c == ':' {
                    Token::Value(token.to_string())
                } else {
                    let name = names.and_then(|n| n.get(token)).and_then(Value::as_str).ok_or_else(|| {
                        invalid(format!("An expression attribute name used in the document path is not defined; attribute name: {token}"))
                    })?;
                    Token::Name(name.to_string())
                });
                rest = &rest[len..];
            } else if let Some(s) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
                tokens.push(Token::Symbol(s));
                rest = &rest[s.len()..];
            } else if c.is_alphanumeric() || c == '_' {
                let len = word_len(rest);
                tokens.push(Token::Word(rest[..len].to_string()));
                rest = &rest[len..];
            } else {
                return Err(invalid(format!("Syntax error; token: \"{c}\"")));
            }
            rest = rest.trim_start();
        }
        Ok(Parser {
            tokens,
            at: 0,
            values: input
                .get("ExpressionAttributeValues")
                .and_then(Value::as_object),
            kind,
            nesting: 32,
        })
    }

    fn error(&self, message: &str) -> ApiError {
        let near = match self.tokens.get(self.at) {
            Some(Token::Word(w) | Token::Name(w) | Token::Value(w)) => w.clone(),
            Some(Token::Symbol(s)) => s.to_string(),
            None => "<EOF>".into(),
        };
        ApiError::validation(format!(
            "Invalid {}: {message}; near: \"{near}\"",
            self.kind
        ))
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn nest(&mut self) -> Result<(), ApiError> {
        self.nesting = self
            .nesting
            .checked_sub(1)
            .ok_or_else(|| self.error("The expression is nested too deeply"))?;
        Ok(())
    }

    fn eat(&mut self, symbol: &str) -> bool {
        let found = matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol);
        self.at += found as usize;
        found
    }

    fn expect(&mut self, symbol: &str) -> Result<(), ApiError> {
        if self.eat(symbol) {
            Ok(())
        } else {
            Err(self.error(&format!("Syntax error; expected \"{symbol}\"")))
        }
    }

    fn path(&mut self) -> Result<String, ApiError> {
        let name = match self.peek() {
            Some(Token::Name(n)) => n.clone(),
            Some(Token::Word(w)) if !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                w.clone()
            }
            _ => return Err(self.error("Syntax error; expected an attribute name")),
        };
        self.at += 1;
        if matches!(self.peek(), Some(Token::Symbol("." | "["))) {
            return Err(self.error("Statelab's in-memory DynamoDB supports top-level attributes only, not nested paths"));
        }
        Ok(name)
    }

    fn value(&mut self) -> Result<Value, ApiError> {
        let Some(Token::Value(name)) = self.peek().cloned() else {
            return Err(self.error("Syntax error; expected an expression attribute value"));
        };
        let value = self.values.and_then(|v| v.get(&name)).ok_or_else(|| {
            ApiError::validation(format!(
                "Invalid {}: An expression attribute value used in expression is not defined; attribute value: {name}",
                self.kind
            ))
        })?;
        check_value(value).map_err(|e| {
            ApiError::validation(format!(
                "ExpressionAttributeValues contains invalid value: {e} for key {name}"
            ))
        })?;
        self.at += 1;
        Ok(value.clone())
    }

    fn function(&self) -> Option<String> {
        match (self.peek(), self.tokens.get(self.at + 1)) {
            (Some(Token::Word(w)), Some(Token::Symbol("("))) => Some(w.clone()),
            _ => None,
        }
    }

    fn operand(&mut self) -> Result<Operand, ApiError> {
        let left = self.primary()?;
        for (symbol, minus) in [("+", false), ("-", true)] {
            if self.eat(symbol) {
                let right = self.primary()?;
                return Ok(Operand::Arithmetic(Box::new(left), minus, Box::new(right)));
            }
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Operand, ApiError> {
        self.nest()?;
        let operand = self.primary_unnested();
        self.nesting += 1;
        operand
    }

    fn primary_unnested(&mut self) -> Result<Operand, ApiError> {
        if let Some(Token::Value(_)) = self.peek() {
            return self.value().map(Operand::Value);
        }
        let Some(function) = self.function() else {
            return self.path().map(Operand::Path);
        };
        self.at += 2;
        let operand = match function.as_str() {
            "if_not_exists" => {
                let path = self.path()?;
                self.expect(",")?;
                Operand::IfNotExists(path, Box::new(self.operand()?))
            }
            "list_append" => {
                let a = self.operand()?;
                self.expect(",")?;
                Operand::ListAppend(Box::new(a), Box::new(self.operand()?))
            }
            "size" => Operand::Size(self.path()?),
            other => return Err(self.error(&format!("Invalid function name; function: {other}"))),
        };
        self.expect(")")?;
        Ok(operand)
    }

    fn condition_only(mut self) -> Result<Cond, ApiError> {
        let cond = self.condition()?;
        self.finish().map(|_| cond)
    }

    fn finish(&self) -> Result<(), ApiError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("Syntax error; unexpected token")),
        }
    }

    fn condition(&mut self) -> Result<Cond, ApiError> {
        let mut terms = vec![self.conjunction()?];
        while self.is_keyword("OR") {
            self.at += 1;
            terms.push(self.conjunction()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Cond::Or(terms)
        })
    }

    fn conjunction(&mut self) -> Result<Cond, ApiError> {
        let mut terms = vec![self.unary()?];
        while self.is_keyword("AND") {
            self.at += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Cond::And(terms)
        })
    }

    fn unary(&mut self) -> Result<Cond, ApiError> {
        self.nest()?;
        let cond = self.unary_unnested();
        self.nesting += 1;
        cond
    }

    fn unary_unnested(&mut self) -> Result<Cond, ApiError> {
        if self.is_keyword("NOT") {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.unary()?)));
        }
        if self.eat("(") {
            let cond = self.condition()?;
            self.expect(")")?;
            return Ok(cond);
        }
        let function = self.function();
        let exists = match function.as_deref() {
            Some("attribute_exists") => Some(true),
            Some("attribute_not_exists") => Some(false),
            _ => None,
        };
        if let Some(exists) = exists {
            self.at += 2;
            let path = self.path()?;
            self.expect(")")?;
            return Ok(Cond::Exists(path, exists));
        }
        if let Some(f @ ("begins_with" | "contains")) = function.as_deref() {
            let begins = f == "begins_with";
            self.at += 2;
            let a = self.operand()?;
            self.expect(",")?;
            let b = self.operand()?;
            self.expect(")")?;
            return Ok(if begins {
                Cond::BeginsWith(a, b)
            } else {
                Cond::Contains(a, b)
            });
        }
        let left = self.operand()?;
        if self.is_keyword("BETWEEN") {
            self.at += 1;
            let low = self.operand()?;
            if !self.is_keyword("AND") {
                return Err(self.error("Syntax error; expected AND"));
            }
            self.at += 1;
            return Ok(Cond::Between(left, low, self.operand()?));
        }
        if self.is_keyword("IN") {
            self.at += 1;
            self.expect("(")?;
            let mut list = vec![self.operand()?];
            while self.eat(",") {
                list.push(self.operand()?);
            }
            self.expect(")")?;
            return Ok(Cond::In(left, list));
        }
        let symbol = match self.peek() {
            Some(Token::Symbol(s @ ("=" | "<>" | "<" | "<=" | ">" | ">="))) => *s,
            _ => return Err(self.error("Syntax error; expected a comparison")),
        };
        self.at += 1;
        Ok(Cond::Compare(left, symbol, self.operand()?))
    }

    fn update(mut self) -> Result<Vec<Action>, ApiError> {
        let mut actions = Vec::new();
        while self.peek().is_some() {
            let clause = match self.peek() {
                Some(Token::Word(w)) => w.to_ascii_uppercase(),
                _ => String::new(),
            };
            if !["SET", "REMOVE", "ADD", "DELETE"].contains(&clause.as_str()) {
                return Err(self.error("Syntax error; expected SET, REMOVE, ADD or DELETE"));
            }
            self.at += 1;
            loop {
                let path = self.path()?;
                actions.push(match clause.as_str() {
                    "SET" => {
                        self.expect("=")?;
                        Action::Set(path, self.operand()?)
                    }
                    "REMOVE" => Action::Remove(path),
                    "ADD" => Action::Add(path, self.value()?),
                    _ => Action::Delete(path, self.value()?),
                });
                if !self.eat(",") {
                    break;
                }
            }
        }
        if actions.is_empty() {
            return Err(self.error("The expression can not be empty"));
        }
        Ok(actions)
    }
}

impl Operand {
    /// The operand's value in `item`; `None` for an attribute the item lacks.
    fn eval(&self, item: &Item) -> Result<Option<Value>, ApiError> {
        let missing = || {
            ApiError::validation(
                "The provided expression refers to an attribute that does not exist in the item",
            )
        };
        Ok(match self {
            Operand::Path(p) => item.get(p).cloned(),
            Operand::Value(v) => Some(v.clone()),
            Operand::IfNotExists(p, default) => match item.get(p) {
                Some(v) => Some(v.clone()),
                None => default.eval(item)?,
            },
            Operand::Size(p) => item.get(p).and_then(|v| {
                let (kind, inner) = v.as_object()?.iter().next()?;
                let n = match inner {
                    Value::String(s) if kind == "S" => s.chars().count(),
                    Value::String(s) => s.len(),
                    Value::Array(a) => a.len(),
                    Value::Object(m) => m.len(),
                    _ => return None,
                };
                Some(json!({ "N": n.to_string() }))
            }),
            Operand::ListAppend(a, b) => {
                let (a, b) = (
                    a.eval(item)?.ok_or_else(missing)?,
                    b.eval(item)?.ok_or_else(missing)?,
                );
                match (a.get("L"), b.get("L")) {
                    (Some(Value::Array(a)), Some(Value::Array(b))) => {
                        Some(json!({ "L": a.iter().chain(b).cloned().collect::<Vec<_>>() }))
                    }
                    _ => return Err(wrong_type()),
                }
            }
            Operand::Arithmetic(a, minus, b) => {
                let (a, b) = (
                    a.eval(item)?.ok_or_else(missing)?,
                    b.eval(item)?.ok_or_else(missing)?,
                );
                let text = |v: &Value| v.get("N").and_then(Value::as_str).map(str::to_string);
                let (Some(a), Some(b)) = (text(&a), text(&b)) else {
                    return Err(wrong_type());
                };
                let n = arithmetic(&a, &b, *minus).ok_or_else(wrong_type)?;
                Some(json!({ "N": n }))
            }
        })
    }
}

impl Cond {
    fn test(&self, item: &Item) -> Result<bool, ApiError> {
        Ok(match self {
            Cond::Or(terms) => {
                for term in terms {
                    if term.test(item)? {
                        return Ok(true);
                    }
                }
                false
            }
            Cond::And(terms) => {
                for term in terms {
                    if !term.test(item)? {
                        return Ok(false);
                    }
                }
                true
            }
            Cond::Not(c) => !c.test(item)?,
            Cond::Exists(path, exists) => item.contains_key(path) == *exists,
            Cond::Compare(a, symbol, b) => match (a.eval(item)?, b.eval(item)?) {
                (Some(a), Some(b)) => match *symbol {
                    "=" => equal(&a, &b),
                    "<>" => !equal(&a, &b),
                    _ => compare(&a, &b).is_some_and(|o| match *symbol {
                        "<" => o.is_lt(),
                        "<=" => o.is_le(),
                        ">" => o.is_gt(),
                        _ => o.is_ge(),
                    }),
                },
                (a, b) => *symbol == "<>" && a != b,
            },
            Cond::Between(a, low, high) => match (a.eval(item)?, low.eval(item)?, high.eval(item)?) {
                (Some(a), Some(low), Some(high)) => {
                    compare(&a, &low).is_some_and(Ordering::is_ge) && compare(&a, &high).is_some_and(Ordering::is_le)
                }
                _ => false,
            },
            Cond::In(a, list) => match a.eval(item)? {
                Some(a) => {
                    let mut found = false;
                    for b in list {
                        found = found || b.eval(item)?.is_some_and(|b| equal(&a, &b));
                    }
                    found
                }
                None => false,
            },
            Cond::BeginsWith(a, b) => match (a.eval(item)?, b.eval(item)?) {
                (Some(a), Some(b)) => ["S", "B"].iter().any(|k| {
                    matches!((a.get(k), b.get(k)), (Some(Value::String(x)), Some(Value::String(y))) if x.starts_with(y.as_str()))
                }),
                _ => false,
            },
            Cond::Contains(a, b) => match (a.eval(item)?, b.eval(item)?) {
                (Some(a), Some(b)) => contains(&a, &b),
                _ => false,
            },
        })
    }

    /// The terms of a top-level AND chain.
    fn conjuncts(&self) -> Vec<&Cond> {
        match self {
            Cond::And(terms) => terms.iter().collect(),
            other => vec![other],
        }
    }

    fn is_equality_on(&self, name: &str) -> bool {
        match self {
            Cond::Compare(Operand::Path(p), "=", Operand::Value(_))
            | Cond::Compare(Operand::Value(_), "=", Operand::Path(p)) => p == name,
            _ => false,
        }
    }
}

/// `contains(a, b)`: a substring of a string, a member of a set or a list.
fn contains(a: &Value, b: &Value) -> bool {
    if let (Some(Value::String(x)), Some(Value::String(y))) = (a.get("S"), b.get("S")) {
        return x.contains(y.as_str());
    }
    if let Some(Value::Array(list)) = a.get("L") {
        return list.iter().any(|v| equal(v, b));
    }
    [("SS", "S"), ("NS", "N"), ("BS", "B")]
        .iter()
        .any(|(set, kind)| match (a.get(*set), b.get(*kind)) {
            (Some(Value::Array(members)), Some(m)) => members
                .iter()
                .any(|x| equal(&json!({ *kind: x }), &json!({ *kind: m }))),
            _ => false,
        })
}

impl Action {
    fn path(&self) -> &str {
        match self {
            Action::Set(p, _) | Action::Remove(p) | Action::Add(p, _) | Action::Delete(p, _) => p,
        }
    }

    /// Applies the action to `item`; operands read `base`, the item before the update.
    fn apply(&self, base: &Item, item: &mut Item) -> Result<(), ApiError> {
        match self {
            Action::Set(path, operand) => {
                let value = operand.eval(base)?.ok_or_else(|| {
                    ApiError::validation("The provided expression refers to an attribute that does not exist in the item")
                })?;
                item.insert(path.clone(), value);
            }
            Action::Remove(path) => {
                item.shift_remove(path);
            }
            Action::Add(path, value) => {
                let new = match (item.get(path), value) {
                    (None, v) if v.get("N").is_some() || set_kind(v).is_some() => v.clone(),
                    (Some(old), v) if number(old).is_some() && number(v).is_some() => {
                        let text = |v: &Value| {
                            v.get("N")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string()
                        };
                        json!({ "N": arithmetic(&text(old), &text(v), false).ok_or_else(wrong_type)? })
                    }
                    (Some(old), v) if set_kind(old).is_some() && set_kind(old) == set_kind(v) => {
                        let kind = set_kind(v).unwrap_or_default();
                        let mut members = members_of(old);
                        for m in members_of(v) {
                            if !members.contains(&m) {
                                members.push(m);
                            }
                        }
                        json!({ kind: members })
                    }
                    _ => return Err(wrong_type()),
                };
                item.insert(path.clone(), new);
            }
            Action::Delete(path, value) => {
                let Some(old) = item.get(path) else {
                    return Ok(());
                };
                let kind = set_kind(old)
                    .filter(|k| set_kind(value) == Some(k))
                    .ok_or_else(wrong_type)?;
                let remove = members_of(value);
                let left: Vec<Value> = members_of(old)
                    .into_iter()
                    .filter(|m| !remove.contains(m))
                    .collect();
                if left.is_empty() {
                    item.shift_remove(path);
                } else {
                    item.insert(path.clone(), json!({ kind: left }));
                }
            }
        }
        Ok(())
    }
}

fn set_kind(value: &Value) -> Option<&'static str> {
    ["SS", "NS", "BS"]
        .into_iter()
        .find(|k| value.get(*k).is_some_and(Value::is_array))
}

fn members_of(value: &Value) -> Vec<Value> {
    set_kind(value)
        .and_then(|k| value.get(k))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// ProjectionExpression: the top-level attributes to return.
struct Projection(Option<Vec<String>>);

impl Projection {
    fn new(input: &Value) -> Result<Projection, ApiError> {
        let Some(text) = input.get("ProjectionExpression").and_then(Value::as_str) else {
            return Ok(Projection(None));
        };
        let mut parser = Parser::new(text, input, "ProjectionExpression")?;
        let mut names = vec![parser.path()?];
        while parser.eat(",") {
            names.push(parser.path()?);
        }
        parser.finish()?;
        Ok(Projection(Some(names)))
    }

    fn apply(&self, item: &Item) -> Item {
        match &self.0 {
            None => item.clone(),
            Some(names) => item
                .iter()
                .filter(|(k, _)| names.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> DynamoDb {
        let mut db = DynamoDb::default();
        db.seed(&json!({"tables": {
            "Orders": {"keySchema": {"partitionKey": "pk", "sortKey": "sk"}, "items": [
                {"pk": {"S": "c1"}, "sk": {"S": "order#2"}, "total": {"N": "20"}},
                {"pk": {"S": "c1"}, "sk": {"S": "order#1"}, "total": {"N": "10"}},
                {"pk": {"S": "c1"}, "sk": {"S": "profile"}},
                {"pk": {"S": "c2"}, "sk": {"S": "order#1"}, "total": {"N": "5"}},
            ]},
            "Counters": {"keySchema": {"partitionKey": "id"}},
        }}))
        .unwrap();
        db
    }

    fn call(db: &mut DynamoDb, action: &str, input: Value) -> ApiResult {
        db.call(action, &input)
            .unwrap_or_else(|| panic!("{action} unsupported"))
    }

    #[test]
    fn put_get_delete() {
        let mut db = db();
        let item = json!({"id": {"S": "a"}, "n": {"N": "1"}, "tags": {"SS": ["x"]}, "m": {"M": {"ok": {"BOOL": true}}}});
        assert_eq!(
            call(
                &mut db,
                "putItem",
                json!({"TableName": "Counters", "Item": item})
            ),
            Ok(json!({}))
        );
        let got = call(
            &mut db,
            "getItem",
            json!({"TableName": "Counters", "Key": {"id": {"S": "a"}}}),
        );
        assert_eq!(got, Ok(json!({ "Item": item })));
        let none = call(
            &mut db,
            "getItem",
            json!({"TableName": "Counters", "Key": {"id": {"S": "b"}}}),
        );
        assert_eq!(none, Ok(json!({})));
        let old = call(
            &mut db,
            "deleteItem",
            json!({"TableName": "Counters", "Key": {"id": {"S": "a"}}, "ReturnValues": "ALL_OLD"}),
        );
        assert_eq!(old, Ok(json!({ "Attributes": item })));
        assert!(db.tables["Counters"].items.is_empty());
    }

    #[test]
    fn errors() {
        let mut db = db();
        let e = call(
            &mut db,
            "getItem",
            json!({"TableName": "Nope", "Key": {"id": {"S": "a"}}}),
        )
        .unwrap_err();
        assert_eq!(
            (e.exception, e.message.as_str()),
            ("ResourceNotFoundException", "Requested resource not found")
        );
        let e = call(
            &mut db,
            "getItem",
            json!({"TableName": "Counters", "Key": {"nope": {"S": "a"}}}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "The provided key element does not match the schema"
        );
        let e = call(
            &mut db,
            "putItem",
            json!({"TableName": "Counters", "Item": {"x": {"S": "a"}}}),
        )
        .unwrap_err();
        assert!(e.message.contains("Missing the key id"), "{}", e.message);
        let e = call(
            &mut db,
            "putItem",
            json!({"TableName": "Counters", "Item": {"id": {"N": 1}}}),
        )
        .unwrap_err();
        assert!(
            e.message.contains("cannot be converted into a number"),
            "{}",
            e.message
        );
        assert!(db
            .call("transactWriteItems", &json!({"TableName": "Counters"}))
            .is_none());
    }

    #[test]
    fn conditional_put() {
        let mut db = db();
        let put = json!({"TableName": "Counters", "Item": {"id": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(id)"});
        assert!(call(&mut db, "putItem", put.clone()).is_ok());
        let e = call(&mut db, "putItem", put).unwrap_err();
        assert_eq!(e.exception, "ConditionalCheckFailedException");
        let e = call(
            &mut db,
            "deleteItem",
            json!({"TableName": "Counters", "Key": {"id": {"S": "b"}}, "ConditionExpression": "attribute_exists(#k)", "ExpressionAttributeNames": {"#k": "id"}}),
        )
        .unwrap_err();
        assert_eq!(e.exception, "ConditionalCheckFailedException");
    }

    #[test]
    fn update_expressions() {
        let mut db = db();
        let update = |expr: &str, values: Value| {
            let mut input = json!({"TableName": "Counters", "Key": {"id": {"S": "a"}}, "UpdateExpression": expr,
                   "ExpressionAttributeValues": values, "ReturnValues": "ALL_NEW"});
            if expr.contains("#s") {
                input["ExpressionAttributeNames"] = json!({"#s": "status"});
            }
            input
        };
        let out = call(
            &mut db,
            "updateItem",
            update(
                "SET #s = :s, n = :one",
                json!({":s": {"S": "new"}, ":one": {"N": "1"}}),
            ),
        );
        assert_eq!(
            out,
            Ok(json!({"Attributes": {"id": {"S": "a"}, "status": {"S": "new"}, "n": {"N": "1"}}}))
        );
        let out = call(
            &mut db,
            "updateItem",
            update(
                "SET n = n + :d REMOVE #s ADD c :d, tags :t",
                json!({":d": {"N": "2.5"}, ":t": {"SS": ["x"]}}),
            ),
        );
        assert_eq!(
            out,
            Ok(
                json!({"Attributes": {"id": {"S": "a"}, "n": {"N": "3.5"}, "c": {"N": "2.5"}, "tags": {"SS": ["x"]}}})
            )
        );
        let out = call(
            &mut db,
            "updateItem",
            update(
                "SET l = list_append(if_not_exists(l, :e), :e) DELETE tags :t",
                json!({":e": {"L": [{"N": "1"}]}, ":t": {"SS": ["x"]}}),
            ),
        );
        assert_eq!(
            out.unwrap()["Attributes"]["l"],
            json!({"L": [{"N": "1"}, {"N": "1"}]})
        );
        let mut updated_new = update("ADD c :d", json!({":d": {"N": "1"}}));
        updated_new["ReturnValues"] = json!("UPDATED_NEW");
        assert_eq!(
            call(&mut db, "updateItem", updated_new),
            Ok(json!({"Attributes": {"c": {"N": "3.5"}}}))
        );
        let e = call(
            &mut db,
            "updateItem",
            update("SET id = :d", json!({":d": {"N": "1"}})),
        )
        .unwrap_err();
        assert!(e.message.contains("part of the key"));
        let e = call(
            &mut db,
            "updateItem",
            update("SET a.b = :d", json!({":d": {"N": "1"}})),
        )
        .unwrap_err();
        assert!(e.message.contains("nested paths"), "{}", e.message);
        let e = call(&mut db, "updateItem", update("SET x = :nope", json!({}))).unwrap_err();
        assert!(e.message.contains(":nope"), "{}", e.message);
        let e = call(&mut db, "updateItem", update("SET x = #nope", json!({}))).unwrap_err();
        assert!(e.message.contains("#nope"), "{}", e.message);
    }

    #[test]
    fn query_on_keys() {
        let mut db = db();
        let query = |expr: &str, values: Value| json!({"TableName": "Orders", "KeyConditionExpression": expr, "ExpressionAttributeValues": values});
        let out = call(
            &mut db,
            "query",
            query(
                "pk = :c AND begins_with(sk, :p)",
                json!({":c": {"S": "c1"}, ":p": {"S": "order#"}}),
            ),
        )
        .unwrap();
        assert_eq!(out["Count"], 2);
        assert_eq!(out["Items"][0]["sk"], json!({"S": "order#1"}));
        let out = call(
            &mut db,
            "query",
            query(
                "pk = :c AND sk = :s",
                json!({":c": {"S": "c1"}, ":s": {"S": "profile"}}),
            ),
        )
        .unwrap();
        assert_eq!(out["Count"], 1);
        let mut limited = query("pk = :c", json!({":c": {"S": "c1"}, ":min": {"N": "15"}}));
        limited["ScanIndexForward"] = json!(false);
        limited["Limit"] = json!(2);
        limited["FilterExpression"] = json!("total >= :min");
        let out = call(&mut db, "query", limited).unwrap();
        assert_eq!(
            (out["Count"].clone(), out["ScannedCount"].clone()),
            (json!(1), json!(2))
        );
        assert_eq!(out["LastEvaluatedKey"]["sk"], json!({"S": "order#2"}));
        let mut next = query("pk = :c", json!({":c": {"S": "c1"}}));
        next["ExclusiveStartKey"] = json!({"pk": {"S": "c1"}, "sk": {"S": "order#1"}});
        next["Limit"] = json!(1);
        let out = call(&mut db, "query", next).unwrap();
        assert_eq!(out["Items"][0]["sk"], json!({"S": "order#2"}));
        assert_eq!(out["LastEvaluatedKey"]["sk"], json!({"S": "order#2"}));
        let e = call(
            &mut db,
            "query",
            query("sk = :s", json!({":s": {"S": "x"}})),
        )
        .unwrap_err();
        assert_eq!(e.message, "Query condition missed key schema element: pk");
        let out = call(
            &mut db,
            "scan",
            json!({"TableName": "Orders", "ProjectionExpression": "pk"}),
        )
        .unwrap();
        assert_eq!(out["Items"][3], json!({"pk": {"S": "c2"}}));
    }

    #[test]
    fn conditions() {
        let item: Item = serde_json::from_value(
            json!({"a": {"N": "5"}, "s": {"S": "hello"}, "l": {"L": [{"S": "x"}]}}),
        )
        .unwrap();
        let input = json!({"ExpressionAttributeValues": {":1": {"N": "1"}, ":9": {"N": "9.0"}, ":h": {"S": "ell"}, ":x": {"S": "x"}}});
        let test = |text: &str| {
            Parser::new(text, &input, "ConditionExpression")
                .and_then(Parser::condition_only)
                .and_then(|c| c.test(&item))
        };
        for (text, expected) in [
            ("a BETWEEN :1 AND :9", true),
            (
                "a > :9 OR (contains(s, :h) AND NOT attribute_exists(zz))",
                true,
            ),
            ("a IN (:1, :9)", false),
            ("size(s) = :1", false),
            ("contains(l, :x)", true),
            ("zz <> :1", true),
            ("a < :1", false),
        ] {
            assert_eq!(test(text), Ok(expected), "{text}");
        }
        assert!(test("a = ").is_err());
        let deep = format!("{}a = :1{}", "(".repeat(300), ")".repeat(300));
        assert!(test(&deep)
            .unwrap_err()
            .message
            .contains("nested too deeply"));
        assert!(test(&"NOT ".repeat(1100)).is_err());
        let long = vec!["a = :9"; 400].join(" OR ");
        assert!(long.len() < 4096);
        assert_eq!(test(&long), Ok(false));
        assert!(test("a ! :1").is_err());
    }

    #[test]
    fn unused_placeholders_are_rejected() {
        let mut db = db();
        let input = json!({"TableName": "Counters", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}, ":v2": {"N": "2"}}, "ExpressionAttributeNames": {"#v": "v"}});
        let e = call(&mut db, "updateItem", input).unwrap_err();
        assert_eq!(
            e.message,
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#v}"
        );
        let input = json!({"TableName": "Counters", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}, ":v2": {"N": "2"}}});
        let e = call(&mut db, "updateItem", input).unwrap_err();
        assert!(e.message.ends_with("keys: {:v2}"), "{}", e.message);
        let e = call(
            &mut db,
            "putItem",
            json!({"TableName": "Counters", "Item": {"id": {"S": "a"}, "n": {"N": "1e999"}}}),
        )
        .unwrap_err();
        assert!(
            e.message.contains("cannot be converted into a number"),
            "{}",
            e.message
        );
    }

    #[test]
    fn seed_errors() {
        let mut db = DynamoDb::default();
        let err = db
            .seed(&json!({"tables": {"T": {"items": []}}}))
            .unwrap_err();
        assert!(err.contains("dynamodb.tables.T.keySchema"), "{err}");
        let err = db
            .seed(&json!({"tables": {"T": {"keySchema": {"partitionKey": "pk"}, "items": [{"x": {"S": "1"}}]}}}))
            .unwrap_err();
        assert!(
            err.contains("items[0]") && err.contains("Missing the key pk"),
            "{err}"
        );
    }
}
