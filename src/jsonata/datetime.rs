//! Dates: $fromMillis / $toMillis with XPath picture strings, ISO 8601 by default.

use super::Err;

pub fn to_millis(_s: &str, _pic: Option<&str>) -> Result<Option<f64>, Err> {
    Err(Err::new("D3110"))
}
pub fn from_millis(_n: f64, _pic: Option<&str>, _tz: Option<&str>) -> Result<String, Err> {
    Err(Err::new("D3110"))
}
