//! An in-memory SQS: queues named by their QueueUrl, each an ordered list of the
//! messages sent to it. SendMessage and SendMessageBatch, with real MD5 digests.

use super::{body_text, md5_hex, seed_lists, seed_object, text, ApiError, ApiResult, Ids};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct Sqs {
    /// QueueUrl -> messages in the order they were sent.
    pub queues: BTreeMap<String, Vec<Value>>,
}

fn no_queue() -> ApiError {
    ApiError {
        exception: "QueueDoesNotExistException",
        code: "AWS.SimpleQueueService.NonExistentQueue",
        message: "The specified queue does not exist.".into(),
        status: 400,
    }
}

impl Sqs {
    /// `{ queues: [URL, ...] | { URL: [ body text | message object ] } }`.
    pub fn seed(&mut self, seed: &Value, ids: &mut Ids) -> Result<(), String> {
        let map = seed_object(seed, "sqs", &["queues"])?;
        seed_lists(&mut self.queues, map.get("queues"), "sqs.queues", |m| {
            let mut message = match m {
                Value::String(body) => json!({ "Body": body }),
                Value::Object(_) if m.get("Body").is_some_and(Value::is_string) => m.clone(),
                _ => return Err("a message is its body text or an object with a Body text".into()),
            };
            complete(&mut message, ids);
            Ok(message)
        })
    }

    /// `None` for an API this simulation does not implement.
    pub fn call(&mut self, action: &str, input: &Value, ids: &mut Ids) -> Option<ApiResult> {
        let url = input
            .get("QueueUrl")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some(match action {
            "sendMessage" => self.send(url, input, ids),
            "sendMessageBatch" => self.send_batch(url, input, ids),
            _ => return None,
        })
    }

    fn send(&mut self, url: &str, input: &Value, ids: &mut Ids) -> ApiResult {
        text(input, "QueueUrl")?;
        let queue = self.queues.get_mut(url).ok_or_else(no_queue)?;
        let (message, response) = message(url, input, queue.len(), ids)?;
        queue.push(message);
        Ok(response)
    }

    fn send_batch(&mut self, url: &str, input: &Value, ids: &mut Ids) -> ApiResult {
        text(input, "QueueUrl")?;
        let queue = self.queues.get_mut(url).ok_or_else(no_queue)?;
        let entries = match input.get("Entries") {
            Some(Value::Array(entries)) if !entries.is_empty() => entries,
            _ => {
                return Err(ApiError::new(
                    "EmptyBatchRequestException",
                    "There should be at least one SendMessageBatchRequestEntry in the request.",
                ))
            }
        };
        if entries.len() > 10 {
            return Err(ApiError::new(
                "TooManyEntriesInBatchRequestException",
                format!(
                    "Maximum number of entries per request are 10. You have sent {}.",
                    entries.len()
                ),
            ));
        }
        let mut successful = Vec::new();
        for entry in entries {
            let id = text(entry, "Id")?;
            let (message, response) = message(url, entry, queue.len(), ids)?;
            queue.push(message);
            let mut with_id = Map::from_iter([("Id".to_string(), json!(id))]);
            if let Value::Object(fields) = response {
                with_id.extend(fields);
            }
            successful.push(Value::Object(with_id));
        }
        Ok(json!({ "Failed": [], "Successful": successful }))
    }
}

/// The stored message and SendMessage's response for one request (or batch entry).
fn message(
    url: &str,
    input: &Value,
    position: usize,
    ids: &mut Ids,
) -> Result<(Value, Value), ApiError> {
    let body = match input.get("MessageBody") {
        None | Some(Value::Null) => {
            return Err(ApiError {
                exception: "MissingParameterException",
                code: "MissingParameter",
                message: "The request must contain the parameter MessageBody.".into(),
                status: 400,
            })
        }
        Some(value) => body_text(value),
    };
    let mut stored = json!({ "Body": body });
    for field in [
        "MessageAttributes",
        "MessageGroupId",
        "MessageDeduplicationId",
        "DelaySeconds",
    ] {
        if let Some(v) = input.get(field) {
            stored[field] = v.clone();
        }
    }
    let fifo = url.ends_with(".fifo");
    if fifo && input.get("MessageGroupId").is_none() {
        return Err(ApiError {
            exception: "MissingParameterException",
            code: "MissingParameter",
            message: "The request must contain the parameter MessageGroupId.".into(),
            status: 400,
        });
    }
    complete(&mut stored, ids);
    let mut response = Map::new();
    if let Some(md5) = stored.get("MD5OfMessageAttributes") {
        response.insert("MD5OfMessageAttributes".into(), md5.clone());
    }
    response.insert("MD5OfMessageBody".into(), stored["MD5OfBody"].clone());
    response.insert("MessageId".into(), stored["MessageId"].clone());
    if fifo {
        response.insert(
            "SequenceNumber".into(),
            json!(format!("1{:019}", position + 1)),
        );
    }
    Ok((stored, Value::Object(response)))
}

/// Fills in the MessageId and digests a stored message lacks.
fn complete(message: &mut Value, ids: &mut Ids) {
    let body = message
        .get("Body")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let md5 = md5_hex(body.as_bytes());
    if let Some(digest) = message.get("MessageAttributes").and_then(attributes_md5) {
        message["MD5OfMessageAttributes"] = json!(digest);
    }
    message["MD5OfBody"] = json!(md5);
    if message.get("MessageId").is_none() {
        message["MessageId"] = json!(ids.uuid());
    }
}

/// SQS's MD5 of message attributes: per attribute, sorted by name, the length-prefixed
/// name, data type, a transport byte (1 text, 2 binary) and the length-prefixed value.
fn attributes_md5(attributes: &Value) -> Option<String> {
    let Value::Object(attributes) = attributes else {
        return None;
    };
    if attributes.is_empty() {
        return None;
    }
    let mut names: Vec<&String> = attributes.keys().collect();
    crate::sort::sort(&mut names);
    let mut bytes = Vec::new();
    let push = |bytes: &mut Vec<u8>, data: &[u8]| {
        bytes.extend_from_slice(&(data.len() as u32).to_be_bytes());
        bytes.extend_from_slice(data);
    };
    for name in names {
        let attribute = &attributes[name];
        let data_type = attribute
            .get("DataType")
            .and_then(Value::as_str)
            .unwrap_or("String");
        push(&mut bytes, name.as_bytes());
        push(&mut bytes, data_type.as_bytes());
        if let Some(binary) = attribute.get("BinaryValue").and_then(Value::as_str) {
            bytes.push(2);
            push(
                &mut bytes,
                &crate::intrinsic::base64_decode(binary).unwrap_or_default(),
            );
        } else {
            let value = attribute
                .get("StringValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            bytes.push(1);
            push(&mut bytes, value.as_bytes());
        }
    }
    Some(md5_hex(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/orders";

    fn queue() -> (Sqs, Ids) {
        let mut sqs = Sqs::default();
        let mut ids = Ids::default();
        sqs.seed(&json!({ "queues": [URL] }), &mut ids).unwrap();
        (sqs, ids)
    }

    #[test]
    fn send_message_stores_in_order_with_md5() {
        let (mut sqs, mut ids) = queue();
        for body in ["hello world", "second"] {
            let out = sqs
                .call(
                    "sendMessage",
                    &json!({"QueueUrl": URL, "MessageBody": body}),
                    &mut ids,
                )
                .unwrap()
                .unwrap();
            assert_eq!(out["MessageId"].as_str().map(str::len), Some(36));
        }
        let messages = &sqs.queues[URL];
        assert_eq!(messages[0]["Body"], "hello world");
        assert_eq!(messages[0]["MD5OfBody"], "5eb63bbbe01eeed093cb22bb8f5acdc3");
        assert_eq!(messages[1]["Body"], "second");
        assert_ne!(messages[0]["MessageId"], messages[1]["MessageId"]);
    }

    #[test]
    fn json_bodies_are_serialised() {
        let (mut sqs, mut ids) = queue();
        let input = json!({"QueueUrl": URL, "MessageBody": {"a": 1}});
        sqs.call("sendMessage", &input, &mut ids).unwrap().unwrap();
        assert_eq!(sqs.queues[URL][0]["Body"], "{\"a\":1}");
    }

    #[test]
    fn message_attributes_digest() {
        // Digest of {"a": String "b"} as computed by the AWS SDKs.
        let digest = attributes_md5(&json!({"a": {"DataType": "String", "StringValue": "b"}}));
        let mut bytes = Vec::new();
        for part in [&b"a"[..], b"String"] {
            bytes.extend_from_slice(&(part.len() as u32).to_be_bytes());
            bytes.extend_from_slice(part);
        }
        bytes.push(1);
        bytes.extend_from_slice(&1u32.to_be_bytes());
        bytes.push(b'b');
        assert_eq!(digest, Some(md5_hex(&bytes)));
    }

    #[test]
    fn missing_queue_and_batch() {
        let (mut sqs, mut ids) = queue();
        let err = sqs
            .call(
                "sendMessage",
                &json!({"QueueUrl": "https://nope", "MessageBody": "x"}),
                &mut ids,
            )
            .unwrap()
            .unwrap_err();
        assert_eq!(err.exception, "QueueDoesNotExistException");
        let batch = json!({"QueueUrl": URL, "Entries": [{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}]});
        let out = sqs
            .call("sendMessageBatch", &batch, &mut ids)
            .unwrap()
            .unwrap();
        assert_eq!(out["Successful"][1]["Id"], "2");
        assert_eq!(sqs.queues[URL].len(), 2);
        assert!(sqs.call("receiveMessage", &json!({}), &mut ids).is_none());
    }

    #[test]
    fn fifo_queues_need_a_group_and_number_messages() {
        let mut sqs = Sqs::default();
        let mut ids = Ids::default();
        let url = "https://q/o.fifo";
        sqs.seed(&json!({ "queues": [url] }), &mut ids).unwrap();
        let err = sqs
            .call(
                "sendMessage",
                &json!({"QueueUrl": url, "MessageBody": "x"}),
                &mut ids,
            )
            .unwrap()
            .unwrap_err();
        assert_eq!(err.code, "MissingParameter");
        let input = json!({"QueueUrl": url, "MessageBody": "x", "MessageGroupId": "g"});
        let out = sqs.call("sendMessage", &input, &mut ids).unwrap().unwrap();
        assert_eq!(out["SequenceNumber"], "10000000000000000001");
    }
}
