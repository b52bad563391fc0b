//! The typed model of a definition: states, their fields and the query language, built
//! from a validated JSON value. The executor reads this, never the raw JSON.
