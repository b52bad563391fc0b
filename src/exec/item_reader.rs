//! Distributed Map item sources: turns what an ItemReader read (an S3 object's text or
//! a ListObjectsV2 response) into items, as ReaderConfig says (JSON, JSONL, CSV with
//! given or first-row headers, S3 inventory manifest), and batches them (ItemBatcher).

use super::Failure;
use serde_json::{Map, Value};

fn reader_failed(cause: impl Into<String>) -> Failure {
    Failure::new("States.ItemReaderFailed", cause)
}

/// Items from a reader's response. `response` is the getObject result (`Body` text) or
/// a listObjectsV2 result (`Contents`).
pub fn items_from(
    response: &Value,
    config: &Value,
    max_items: Option<usize>,
) -> Result<Vec<Value>, Failure> {
    let input_type = config.get("InputType").and_then(Value::as_str);
    let mut items = if let Some(contents) = response.get("Contents").and_then(Value::as_array) {
        contents.clone()
    } else {
        let body = match response.get("Body") {
            Some(Value::String(text)) => text.clone(),
            Some(other) => crate::json::stringify(other),
            None => return Err(reader_failed("The ItemReader response has no Body")),
        };
        match input_type {
            Some("CSV") => csv_items(&body, config)?,
            Some("JSONL") => jsonl_items(&body)?,
            Some("MANIFEST") => manifest_items(&body)?,
            _ => json_items(&body)?,
        }
    };
    if let Some(max) = max_items.filter(|m| *m > 0) {
        items.truncate(max);
    }
    Ok(items)
}

fn json_items(body: &str) -> Result<Vec<Value>, Failure> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(_) => Err(reader_failed("Attempting to map over non-iterable node.")),
        Err(e) => Err(reader_failed(format!("The object is not valid JSON: {e}"))),
    }
}

fn jsonl_items(body: &str) -> Result<Vec<Value>, Failure> {
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line)
                .map_err(|e| reader_failed(format!("A JSONL line is not valid JSON: {e}")))
        })
        .collect()
}

/// An S3 inventory manifest lists CSV files; without reading them we return the file
/// entries, which is what a processor that reads each file expects.
fn manifest_items(body: &str) -> Result<Vec<Value>, Failure> {
    let manifest: Value = serde_json::from_str(body)
        .map_err(|e| reader_failed(format!("The manifest is not valid JSON: {e}")))?;
    Ok(manifest
        .get("files")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

fn delimiter(config: &Value) -> char {
    match config.get("CSVDelimiter").and_then(Value::as_str) {
        Some("PIPE") => '|',
        Some("SEMICOLON") => ';',
        Some("SPACE") => ' ',
        Some("TAB") => '\t',
        _ => ',',
    }
}

fn csv_items(body: &str, config: &Value) -> Result<Vec<Value>, Failure> {
    let mut rows = parse_csv(body, delimiter(config)).into_iter();
    let headers: Vec<String> = match config.get("CSVHeaderLocation").and_then(Value::as_str) {
        Some("GIVEN") => config
            .get("CSVHeaders")
            .and_then(Value::as_array)
            .map(|h| {
                h.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        _ => rows.next().unwrap_or_default(),
    };
    let mut seen = std::collections::HashSet::new();
    if !headers.iter().all(|h| seen.insert(h.as_str())) {
        return Err(reader_failed("CSV headers cannot contain duplicates."));
    }
    Ok(rows
        .map(|row| {
            let mut item = Map::new();
            for (i, header) in headers.iter().enumerate() {
                item.insert(
                    header.clone(),
                    Value::String(row.get(i).cloned().unwrap_or_default()),
                );
            }
            Value::Object(item)
        })
        .collect())
}

/// RFC 4180 rows; quoted fields may hold delimiters, newlines and doubled quotes. A
/// final line break does not start an empty row.
fn parse_csv(body: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            c if c == delimiter => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// ItemBatcher: groups items into `{BatchInput?, Items}` by count and by JSON size.
pub fn batch(
    items: Vec<Value>,
    max_items: Option<usize>,
    max_bytes: Option<usize>,
    batch_input: Option<&Value>,
) -> Vec<Value> {
    let max_items = max_items.filter(|m| *m > 0).unwrap_or(usize::MAX);
    let max_bytes = max_bytes.filter(|m| *m > 0).unwrap_or(usize::MAX);
    let mut batches = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut bytes = 0;
    for item in items {
        let size = crate::json::stringify(&item).len();
        if !current.is_empty() && (current.len() >= max_items || bytes + size > max_bytes) {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(item);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
        .into_iter()
        .map(|items| {
            let mut batch = Map::new();
            if let Some(input) = batch_input {
                batch.insert("BatchInput".into(), input.clone());
            }
            batch.insert("Items".into(), Value::Array(items));
            Value::Object(batch)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_with_first_row_headers_quotes_and_short_rows() {
        let body = "a,b\n1,\"x,\"\"y\"\"\"\n\n3\n";
        let items = items_from(&json!({"Body": body}), &json!({"InputType": "CSV"}), None).unwrap();
        assert_eq!(
            items,
            vec![
                json!({"a": "1", "b": "x,\"y\""}),
                json!({"a": "", "b": ""}),
                json!({"a": "3", "b": ""})
            ]
        );
    }

    #[test]
    fn duplicate_headers_fail_like_aws() {
        let config =
            json!({"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["H", "H"]});
        let err = items_from(&json!({"Body": "1,2"}), &config, None).unwrap_err();
        assert_eq!(err.error, "States.ItemReaderFailed");
    }

    #[test]
    fn batches_by_count_and_size() {
        let items: Vec<Value> = (0..5).map(Value::from).collect();
        let batches = batch(items, Some(2), None, Some(&json!({"k": 1})));
        assert_eq!(batches.len(), 3);
        assert_eq!(batches[0], json!({"BatchInput": {"k": 1}, "Items": [0, 1]}));
        let by_size = batch(vec![json!("aaaa"), json!("bbbb")], None, Some(7), None);
        assert_eq!(by_size.len(), 2);
    }
}
