//! The engine's JSON value: arrays and objects are shared (`Rc`), so cloning a value is
//! O(1) and a payload that flows through many states (selected by a path, placed by
//! ResultPath, recorded in the history) is never deep-copied.
//!
//! Why not `serde_json::Value`: it owns its children, so `"lines.$": "$.lines"` copies
//! the whole sub-tree at every state, and a history that keeps every state's output
//! keeps a copy of each. Here a history event holds the same tree the next state reads.
//!
//! - Mutation is copy-on-write: [`Value::as_array_mut`]/[`Value::as_object_mut`] (and
//!   `Rc::make_mut` on the nodes) copy a node only when it is shared.
//! - Every array and object node caches the byte length of its JSON text (reset by any
//!   mutable access), so the 256 KiB payload check of a state's output costs only the
//!   nodes that state created.
//! - Objects keep insertion order (AWS keeps key order); `remove` is `swap_remove`, as
//!   `serde_json::Map::remove` is with `preserve_order`.
//! - Text is written exactly as [`crate::json::write_value`] writes a `serde_json::Value`
//!   (JavaScript's `JSON.stringify`); parsing takes the fast reader (`fast.rs`) for the
//!   usual text and serde_json (its errors and positions) for the rest.

mod fast;

use crate::json::{write_number, write_string};
use serde_json::Number;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Rc<str>),
    Array(Rc<Array>),
    Object(Rc<Map>),
}

// ---------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------

/// An array node: its items and the cached length of its JSON text.
#[derive(Clone, Default)]
pub struct Array {
    items: Vec<Value>,
    meta: Meta,
}

/// What a node caches about itself: the byte length of its JSON text and how deep
/// arrays and objects nest in it. Reset by every mutable access.
#[derive(Clone, Default)]
struct Meta {
    text_len: Cell<Option<usize>>,
    nesting: Cell<Option<usize>>,
}

impl Meta {
    fn reset(&self) {
        self.text_len.set(None);
        self.nesting.set(None);
    }
}

impl Array {
    pub fn new(items: Vec<Value>) -> Array {
        Array {
            items,
            meta: Meta::default(),
        }
    }

    pub fn into_vec(self) -> Vec<Value> {
        self.items
    }
}

impl Deref for Array {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.items
    }
}

impl DerefMut for Array {
    /// Any mutable access may change the text: the cached length goes.
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        self.meta.reset();
        &mut self.items
    }
}

impl PartialEq for Array {
    fn eq(&self, other: &Array) -> bool {
        self.items == other.items
    }
}

impl std::fmt::Debug for Array {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.items.fmt(f)
    }
}

/// A small, fast, non-cryptographic hasher for object keys (the maps are the engine's
/// own; SipHash's protection buys nothing in a local interpreter).
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type KeyIndex = HashMap<Rc<str>, usize, BuildHasherDefault<KeyHasher>>;

/// Objects with more members than this get a hash index; smaller ones are searched
/// linearly (most payload objects are small, and one allocation is cheaper than two).
const INDEX_FROM: usize = 12;

/// An object node: members in insertion order, an index for large objects, and the
/// cached length of its JSON text.
#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(Rc<str>, Value)>,
    index: Option<Box<KeyIndex>>,
    meta: Meta,
}

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    pub fn with_capacity(capacity: usize) -> Map {
        Map {
            entries: Vec::with_capacity(capacity),
            ..Map::default()
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|(k, _)| &**k == key),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    pub fn get_key_value(&self, key: &str) -> Option<(&Rc<str>, &Value)> {
        self.position(key).map(|i| {
            let (k, v) = &self.entries[i];
            (k, v)
        })
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.meta.reset();
        let i = self.position(key)?;
        Some(&mut self.entries[i].1)
    }

    /// Sets `key` (in its old place if present, else at the end); returns the old value.
    pub fn insert(&mut self, key: Rc<str>, value: Value) -> Option<Value> {
        self.meta.reset();
        if let Some(i) = self.position(&key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() > INDEX_FROM {
            self.rebuild_index();
        }
        None
    }

    /// The value at `key`, inserted by `make` first when absent.
    pub fn entry_or_insert_with(
        &mut self,
        key: Rc<str>,
        make: impl FnOnce() -> Value,
    ) -> &mut Value {
        let i = match self.position(&key) {
            Some(i) => i,
            None => {
                self.insert(key, make());
                self.entries.len() - 1
            }
        };
        self.meta.reset();
        &mut self.entries[i].1
    }

    fn rebuild_index(&mut self) {
        self.index = (self.entries.len() > INDEX_FROM).then(|| {
            Box::new(
                self.entries
                    .iter()
                    .enumerate()
                    .map(|(i, (k, _))| (k.clone(), i))
                    .collect(),
            )
        });
    }

    /// Removes `key`, moving the last member into its place (`serde_json::Map::remove`
    /// with `preserve_order` does the same).
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        self.meta.reset();
        let (_, value) = self.entries.swap_remove(i);
        self.rebuild_index();
        Some(value)
    }

    /// Removes `key`, keeping the order of the others.
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        self.meta.reset();
        let (_, value) = self.entries.remove(i);
        self.rebuild_index();
        Some(value)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&Rc<str>, &Value)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Rc<str>, &mut Value)> {
        self.meta.reset();
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Rc<str>> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.meta.reset();
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn clear(&mut self) {
        self.meta.reset();
        self.entries.clear();
        self.index = None;
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Rc<str>, &mut Value) -> bool) {
        self.meta.reset();
        self.entries.retain_mut(|(k, v)| keep(k, v));
        self.rebuild_index();
    }
}

impl PartialEq for Map {
    /// Same members, in any order (as `serde_json::Map`'s equality).
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl std::fmt::Debug for Map {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<Rc<str>>> FromIterator<(K, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Map {
        let mut map = Map::new();
        map.extend(iter);
        map
    }
}

impl<K: Into<Rc<str>>> Extend<(K, Value)> for Map {
    fn extend<I: IntoIterator<Item = (K, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k.into(), v);
        }
    }
}

impl IntoIterator for Map {
    type Item = (Rc<str>, Value);
    type IntoIter = std::vec::IntoIter<(Rc<str>, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Rc<str>, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Rc<str>, Value)>,
        fn(&'a (Rc<str>, Value)) -> (&'a Rc<str>, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

// ---------------------------------------------------------------------------------------
// Value: construction, access
// ---------------------------------------------------------------------------------------

impl Value {
    pub fn array(items: Vec<Value>) -> Value {
        Value::Array(Rc::new(Array::new(items)))
    }

    pub fn object(map: Map) -> Value {
        Value::Object(Rc::new(map))
    }

    pub fn empty_object() -> Value {
        Value::object(Map::new())
    }

    /// A number as JavaScript holds it (see [`crate::json::number`]): integral values
    /// as integers, non-finite ones as `null`.
    pub fn number(value: f64) -> Value {
        Value::from(crate::json::number(value))
    }

    pub fn string(text: impl Into<Rc<str>>) -> Value {
        Value::String(text.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
    pub fn is_i64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_i64())
    }
    pub fn is_u64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_u64())
    }
    pub fn is_f64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_f64())
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The items, copied first if the array is shared.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(Rc::make_mut(items).deref_mut()),
            _ => None,
        }
    }

    /// The members, copied first if the object is shared.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(Rc::make_mut(map)),
            _ => None,
        }
    }

    /// `value["key"]` for objects, `None` otherwise.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|map| map.get(key))
    }

    /// `value[i]` for arrays, `None` otherwise.
    pub fn get_index(&self, index: usize) -> Option<&Value> {
        self.as_array().and_then(|items| items.get(index))
    }

    /// A JSON pointer lookup (`/a/0/b`), as `serde_json::Value::pointer`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        let mut target = self;
        for token in rest.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            target = match target {
                Value::Object(map) => map.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(target)
    }

    /// Takes the value out, leaving `null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    // -----------------------------------------------------------------------------------
    // Text
    // -----------------------------------------------------------------------------------

    /// The JSON text, as `JSON.stringify` writes it (= `json::stringify` of the same
    /// value as a `serde_json::Value`).
    pub fn to_json_text(&self) -> String {
        let mut out = String::with_capacity(self.text_len());
        self.write(&mut out);
        out
    }

    /// Writes the JSON text into `out`.
    pub fn write(&self, out: &mut impl Write) {
        match self {
            Value::Null => push(out, "null"),
            Value::Bool(b) => push(out, if *b { "true" } else { "false" }),
            Value::Number(n) => write_number(out, n),
            Value::String(s) => write_string(out, s),
            Value::Array(items) => {
                push(out, "[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        push(out, ",");
                    }
                    item.write(out);
                }
                push(out, "]");
            }
            Value::Object(map) => {
                push(out, "{");
                for (i, (key, item)) in map.iter().enumerate() {
                    if i > 0 {
                        push(out, ",");
                    }
                    write_string(out, key);
                    push(out, ":");
                    item.write(out);
                }
                push(out, "}");
            }
        }
    }

    /// The byte length of [`Value::to_json_text`], from the nodes' cached lengths where
    /// known (each node's length is computed once and kept until it is mutated).
    pub fn text_len(&self) -> usize {
        match self {
            Value::Null => 4,
            Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => {
                // Integers (most numbers in payloads) by their digits, without writing.
                if let Some(i) = n.as_i64() {
                    return decimal_digits(i.unsigned_abs()) + usize::from(i < 0);
                }
                if let Some(u) = n.as_u64() {
                    return decimal_digits(u);
                }
                let mut counter = ByteCounter(0);
                write_number(&mut counter, n);
                counter.0
            }
            Value::String(s) => string_len(s),
            Value::Array(items) => {
                if let Some(len) = items.meta.text_len.get() {
                    return len;
                }
                let len = 2
                    + items.len().saturating_sub(1)
                    + items.iter().map(Value::text_len).sum::<usize>();
                items.meta.text_len.set(Some(len));
                len
            }
            Value::Object(map) => {
                if let Some(len) = map.meta.text_len.get() {
                    return len;
                }
                let len = 2
                    + map.len().saturating_sub(1)
                    + map
                        .iter()
                        .map(|(k, v)| string_len(k) + 1 + v.text_len())
                        .sum::<usize>();
                map.meta.text_len.set(Some(len));
                len
            }
        }
    }

    /// How deep arrays and objects nest: 0 for a scalar, 1 for `[]` or `[1]`, 2 for
    /// `[[1]]`. Cached per node, so only nodes new since the last call are visited;
    /// stops descending at `limit` (a value deeper than that is too deep anyway, and the
    /// walk must not recurse without bound).
    pub fn nesting(&self, limit: usize) -> usize {
        fn deepest<'v>(children: impl Iterator<Item = &'v Value>, limit: usize) -> usize {
            children
                .filter(|child| child.is_array() || child.is_object())
                .map(|child| child.nesting(limit - 1))
                .max()
                .unwrap_or(0)
        }
        let meta = match self {
            Value::Array(items) => &items.meta,
            Value::Object(map) => &map.meta,
            _ => return 0,
        };
        if let Some(depth) = meta.nesting.get() {
            return depth;
        }
        if limit == 0 {
            return 1;
        }
        let depth = 1 + match self {
            Value::Array(items) => deepest(items.iter(), limit),
            Value::Object(map) => deepest(map.values(), limit),
            _ => 0,
        };
        // A cut-off count is a lower bound: cache only exact ones.
        if depth <= limit {
            meta.nesting.set(Some(depth));
        }
        depth
    }

    /// True when arrays and objects nest deeper than [`crate::json::MAX_NESTING`] (the
    /// engine's walks recurse once per level).
    pub fn nested_too_deep(&self) -> bool {
        self.nesting(crate::json::MAX_NESTING + 1) > crate::json::MAX_NESTING
    }

    /// Parses JSON text, building this type directly (no intermediate
    /// `serde_json::Value`): the fast reader for the usual text, else serde_json's parser
    /// (its errors, positions and nesting limit). Either way the same value.
    pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
        match fast::parse(text) {
            Some(value) => Ok(value),
            None => serde_json::from_str(text),
        }
    }

    /// The same value as a `serde_json::Value` (for the parts of the crate that keep it:
    /// services, mocks, JSONata, the host boundary).
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_serde).collect())
            }
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| (k.to_string(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// The byte length of a JSON string literal as `write_string` writes it.
fn string_len(s: &str) -> usize {
    let mut len = 2;
    for &b in s.as_bytes() {
        len += match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            b if b < 0x20 => 6,
            _ => 1,
        };
    }
    len
}

/// Writing to a `String` or a counter cannot fail.
fn push(out: &mut impl Write, text: &str) {
    let _ = out.write_str(text);
}

/// How many decimal digits `n` has.
fn decimal_digits(mut n: u64) -> usize {
    let mut digits = 1;
    while n >= 10 {
        n /= 10;
        digits += 1;
    }
    digits
}

/// A `fmt::Write` that only counts the bytes written to it.
struct ByteCounter(usize);

impl Write for ByteCounter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Value {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s.into()),
            serde_json::Value::Array(items) => {
                Value::array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    out.insert(k.into(), Value::from(v));
                }
                Value::object(out)
            }
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(value: &serde_json::Value) -> Value {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.as_str().into()),
            serde_json::Value::Array(items) => {
                Value::array(items.iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map {
                    out.insert(k.as_str().into(), Value::from(v));
                }
                Value::object(out)
            }
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(value: Value) -> serde_json::Value {
        value.to_serde()
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

macro_rules! from_integer {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Value {
                Value::Number(Number::from(n))
            }
        }
    )*};
}
from_integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<Rc<str>> for Value {
    fn from(s: Rc<str>) -> Value {
        Value::String(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::object(map)
    }
}

impl PartialEq<serde_json::Value> for Value {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => a == b,
            (Value::String(a), serde_json::Value::String(b)) => **a == **b,
            (Value::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(&**k).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing: serde's data model, as `serde_json::Value` reads it
// ---------------------------------------------------------------------------------------

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        let keys = KeyCache::default();
        serde::de::DeserializeSeed::deserialize(ValueSeed { keys: &keys }, deserializer)
    }
}

/// Object keys seen so far in one parse: payloads are mostly arrays of records with the
/// same keys, so each distinct key is allocated once and shared. Bounded. Short keys
/// are also kept across parses (`RECENT_KEYS`): a Task loop's handler returns the same
/// few keys at every call, and the parse of its small result must not allocate them.
#[derive(Default)]
struct KeyCache(
    std::cell::RefCell<std::collections::HashSet<Rc<str>, BuildHasherDefault<KeyHasher>>>,
);

/// At most this many distinct keys are shared per parse (the rest are allocated as read).
const MAX_SHARED_KEYS: usize = 1024;
/// Recent keys kept across parses, and the longest key kept.
const RECENT_KEYS_KEPT: usize = 16;
const RECENT_KEY_MAX_LEN: usize = 32;

thread_local! {
    /// Short keys of recent parses, replaced in turn (see `KeyCache`).
    static RECENT_KEYS: std::cell::RefCell<(Vec<Rc<str>>, usize)> =
        const { std::cell::RefCell::new((Vec::new(), 0)) };
}

impl KeyCache {
    fn key(&self, text: &str) -> Rc<str> {
        if text.len() <= RECENT_KEY_MAX_LEN {
            if let Some(key) = RECENT_KEYS.with(|recent| {
                let recent = recent.borrow();
                recent.0.iter().find(|k| &***k == text).cloned()
            }) {
                return key;
            }
        }
        let mut keys = self.0.borrow_mut();
        if let Some(key) = keys.get(text) {
            return key.clone();
        }
        let key: Rc<str> = text.into();
        // Once the recent keys are full (this text has many keys, or new ones), the
        // parse's own set keeps sharing what the recent list lets go.
        let recent_full = text.len() > RECENT_KEY_MAX_LEN
            || RECENT_KEYS.with(|recent| {
                let (recent, next) = &mut *recent.borrow_mut();
                if recent.len() < RECENT_KEYS_KEPT {
                    recent.push(key.clone());
                    return false;
                }
                recent[*next] = key.clone();
                *next = (*next + 1) % RECENT_KEYS_KEPT;
                true
            });
        if recent_full && keys.len() < MAX_SHARED_KEYS {
            keys.insert(key.clone());
        }
        key
    }
}

/// Reads one value (serde's data model, as `serde_json::Value` reads it).
#[derive(Clone, Copy)]
struct ValueSeed<'k> {
    keys: &'k KeyCache,
}

impl<'de> serde::de::DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.into()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s.into()))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        // A repeated key keeps its first place and takes the last value, as serde_json's.
        while let Some(key) = access.next_key_seed(KeySeed { keys: self.keys })? {
            let value = access.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::object(map))
    }
}

/// An object key, shared through the parse's [`KeyCache`].
struct KeySeed<'k> {
    keys: &'k KeyCache,
}

impl<'de> serde::de::DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Rc<str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Rc<str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeySeed<'_> {
    type Value = Rc<str>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E>(self, s: &str) -> Result<Rc<str>, E> {
        Ok(self.keys.key(s))
    }
}

/// `json!`-style literals for the engine's value: `value!({"a": 1})`.
#[macro_export]
macro_rules! value {
    ($($json:tt)+) => {
        $crate::value::Value::from(::serde_json::json!($($json)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_cached_length_match_serde_writer() {
        let source = serde_json::json!({"b": 1, "a": [true, null, "x\n\u{1}é"], "n": 0.1, "big": 1e21,
            "nested": {"k": [1, 2, {"z": -3}]}, "ints": [0, 9, 10, -10, 99999, i64::MIN, u64::MAX]});
        let value = Value::from(&source);
        assert_eq!(value.to_json_text(), crate::json::stringify(&source));
        assert_eq!(value.text_len(), value.to_json_text().len());
        assert_eq!(value.to_serde(), source);
    }

    #[test]
    fn parses_like_serde_json() {
        let text =
            r#"{"b":1,"a":[true,null,"x\n",-2,3.5,1e300,18446744073709551615],"b":{"k":"v"}}"#;
        let serde: serde_json::Value = serde_json::from_str(text).unwrap();
        let ours = Value::parse(text).unwrap();
        assert_eq!(ours, serde);
        assert_eq!(ours.to_json_text(), crate::json::stringify(&serde));
        let deep = "[".repeat(200) + &"]".repeat(200);
        let theirs = serde_json::from_str::<serde_json::Value>(&deep).unwrap_err();
        assert_eq!(
            Value::parse(&deep).unwrap_err().to_string(),
            theirs.to_string()
        );
        let bad = r#"{"a": tru}"#;
        let theirs = serde_json::from_str::<serde_json::Value>(bad).unwrap_err();
        assert_eq!(
            Value::parse(bad).unwrap_err().to_string(),
            theirs.to_string()
        );
    }

    #[test]
    fn copy_on_write_resets_cached_lengths() {
        let mut value = value!({"a": {"b": [1, 2]}, "c": "x"});
        let shared = value.clone();
        let before = value.text_len();
        if let Some(items) = value
            .as_object_mut()
            .and_then(|m| m.get_mut("a"))
            .and_then(Value::as_object_mut)
            .and_then(|m| m.get_mut("b"))
            .and_then(Value::as_array_mut)
        {
            items.push(Value::from(300));
        }
        assert_eq!(value.text_len(), value.to_json_text().len());
        assert_eq!(value.text_len(), before + 4);
        // The clone taken before still sees the old tree.
        assert_eq!(shared.to_json_text(), r#"{"a":{"b":[1,2]},"c":"x"}"#);
        assert_eq!(shared.text_len(), before);
    }

    #[test]
    fn large_objects_are_indexed_and_keep_order() {
        let mut map = Map::new();
        for i in 0..40 {
            map.insert(format!("k{i}").into(), Value::from(i));
        }
        map.insert("k3".into(), Value::from("three"));
        assert_eq!(map.get("k3"), Some(&Value::from("three")));
        assert_eq!(map.keys().nth(3).map(|k| &**k), Some("k3"));
        assert_eq!(map.remove("k0"), Some(Value::from(0)));
        // swap_remove: the last member takes the removed one's place.
        assert_eq!(map.keys().next().map(|k| &**k), Some("k39"));
        assert_eq!(map.get("k39"), Some(&Value::from(39)));
        assert_eq!(map.len(), 39);
    }
}
