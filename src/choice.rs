//! Choice rules (JSONPath query language): comparison operators, their `Path` variants,
//! the `Is*` tests, And/Or/Not.
