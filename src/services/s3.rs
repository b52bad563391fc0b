//! An in-memory S3: buckets of text objects. GetObject, PutObject, ListObjectsV2 and
//! DeleteObject, with S3's error names as Step Functions reports them.

use crate::exec::{EffectResult, Failure};
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct S3 {
    pub buckets: BTreeMap<String, BTreeMap<String, String>>,
}

fn text_field<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    input.get(name).and_then(Value::as_str)
}

fn no_such(what: &str, message: &str) -> EffectResult {
    EffectResult::Err(Failure::new(
        format!("S3.{what}Exception"),
        format!("{message} (Service: S3, Status Code: 404, Request ID: 0000000000000000)"),
    ))
}

impl S3 {
    pub fn put(&mut self, bucket: &str, key: &str, body: String) {
        self.buckets
            .entry(bucket.to_string())
            .or_default()
            .insert(key.to_string(), body);
    }

    /// `{ BUCKET: { KEY: text } }`; a non-text body is stored as its JSON text.
    pub fn seed(&mut self, seed: &Value) -> Result<(), String> {
        let Value::Object(buckets) = seed else {
            return Err("s3 must be an object of bucket -> {key: text}".into());
        };
        for (bucket, objects) in buckets {
            let Value::Object(objects) = objects else {
                return Err(format!("s3.{bucket} must be an object of key -> text"));
            };
            self.buckets.entry(bucket.clone()).or_default();
            for (key, body) in objects {
                self.put(bucket, key, super::body_text(body));
            }
        }
        Ok(())
    }

    pub fn call(&mut self, action: &str, input: &Value) -> EffectResult {
        let bucket = text_field(input, "Bucket").unwrap_or_default().to_string();
        let key = text_field(input, "Key").unwrap_or_default().to_string();
        match action {
            "getObject" => match self.buckets.get(&bucket) {
                None => no_such("NoSuchBucket", "The specified bucket does not exist."),
                Some(objects) => match objects.get(&key) {
                    None => no_such("NoSuchKey", "The specified key does not exist."),
                    Some(body) => EffectResult::ok_json(json!({
                        "Body": body,
                        "ContentLength": body.len(),
                        "ContentType": "application/octet-stream",
                        "ETag": format!("\"{:016x}\"", fingerprint(body)),
                    })),
                },
            },
            "putObject" => {
                let body = match input.get("Body") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => crate::json::stringify(other),
                    None => String::new(),
                };
                let etag = format!("\"{:016x}\"", fingerprint(&body));
                self.put(&bucket, &key, body);
                EffectResult::ok_json(json!({ "ETag": etag }))
            }
            "deleteObject" => {
                if let Some(objects) = self.buckets.get_mut(&bucket) {
                    objects.remove(&key);
                }
                EffectResult::ok_json(json!({}))
            }
            "listObjectsV2" => {
                let Some(objects) = self.buckets.get(&bucket) else {
                    return no_such("NoSuchBucket", "The specified bucket does not exist.");
                };
                let prefix = text_field(input, "Prefix").unwrap_or_default();
                let contents: Vec<Value> = objects
                    .iter()
                    .filter(|(k, _)| k.starts_with(prefix))
                    .map(|(k, body)| {
                        json!({
                            "Key": k,
                            "Size": body.len(),
                            "ETag": format!("\"{:016x}\"", fingerprint(body)),
                            "StorageClass": "STANDARD",
                        })
                    })
                    .collect();
                EffectResult::ok_json(json!({
                    "Contents": contents,
                    "IsTruncated": false,
                    "KeyCount": contents.len(),
                    "MaxKeys": 1000,
                    "Name": bucket,
                    "Prefix": prefix,
                }))
            }
            other => super::unsupported("S3", other),
        }
    }
}

/// A stable content fingerprint for ETags (FNV-1a).
fn fingerprint(body: &str) -> u64 {
    body.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}
