//! Number pictures: $formatNumber (XPath F&O fn:format-number), $formatInteger and
//! $parseInteger (fn:format-integer).

use super::value::{Obj, V};
use super::Err;

pub fn format_number(_n: f64, _pic: &str, _opts: Option<&Obj>) -> Result<String, Err> {
    Err(Err::new("D3080"))
}
pub fn format_integer(_n: f64, _pic: &str) -> Result<String, Err> {
    Err(Err::new("D3130"))
}
pub fn parse_integer(_s: &str, _pic: &str) -> Result<Option<f64>, Err> {
    let _ = V::Null;
    Err(Err::new("D3130"))
}
