//! Our JSONata engine (JSONata 2.0.6 semantics, as AWS documents): a parser that keeps
//! character positions and a synchronous evaluator bounded by a step and depth budget.
