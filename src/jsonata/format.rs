//! Number pictures: $formatNumber (XPath F&O fn:format-number), $formatInteger and
//! $parseInteger (fn:format-integer).

use super::value::{Obj, V};
use super::Err;

pub fn format_number(_n: f64, _pic: &str, _opts: Option<&Obj>) -> Result<String, Err> {
    Err(Err::new("D3080"))
}
