//! An in-memory SNS: topics named by their ARN, each an ordered list of the messages
//! published to it. Publish (to a TopicArn or a TargetArn).

use super::{body_text, seed_lists, seed_object, ApiError, ApiResult, Ids};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct Sns {
    /// TopicArn -> messages in the order they were published.
    pub topics: BTreeMap<String, Vec<Value>>,
}

impl Sns {
    /// `{ topics: [ARN, ...] | { ARN: [ message text | { Message, ... } ] } }`.
    pub fn seed(&mut self, seed: &Value, ids: &mut Ids) -> Result<(), String> {
        let map = seed_object(seed, "sns", &["topics"])?;
        seed_lists(&mut self.topics, map.get("topics"), "sns.topics", |m| {
            let mut message = match m {
                Value::String(text) => json!({ "Message": text }),
                Value::Object(_) if m.get("Message").is_some_and(Value::is_string) => m.clone(),
                _ => return Err("a message is its text or an object with a Message text".into()),
            };
            if message.get("MessageId").is_none() {
                message["MessageId"] = json!(ids.uuid());
            }
            Ok(message)
        })
    }

    /// `None` for an API this simulation does not implement.
    pub fn call(&mut self, action: &str, input: &Value, ids: &mut Ids) -> Option<ApiResult> {
        match action {
            "publish" => Some(self.publish(input, ids)),
            _ => None,
        }
    }

    fn publish(&mut self, input: &Value, ids: &mut Ids) -> ApiResult {
        let arn = ["TopicArn", "TargetArn"]
            .iter()
            .find_map(|k| input.get(*k).and_then(Value::as_str))
            .ok_or_else(|| {
                invalid("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")
            })?;
        let message = match input.get("Message") {
            None | Some(Value::Null) => {
                return Err(invalid("Invalid parameter: Empty message"));
            }
            Some(value) => body_text(value),
        };
        let topic = self.topics.get_mut(arn).ok_or_else(|| ApiError {
            exception: "NotFoundException",
            code: "NotFound",
            message: "Topic does not exist".into(),
            status: 404,
        })?;
        let id = ids.uuid();
        let mut stored = Map::new();
        stored.insert("MessageId".into(), json!(id));
        stored.insert("Message".into(), json!(message));
        for field in [
            "Subject",
            "MessageAttributes",
            "MessageStructure",
            "MessageGroupId",
            "MessageDeduplicationId",
        ] {
            if let Some(v) = input.get(field) {
                stored.insert(field.into(), v.clone());
            }
        }
        let mut response = json!({ "MessageId": id });
        if arn.ends_with(".fifo") {
            response["SequenceNumber"] = json!(format!("1{:019}", topic.len() + 1));
        }
        topic.push(Value::Object(stored));
        Ok(response)
    }
}

fn invalid(message: &str) -> ApiError {
    ApiError {
        exception: "InvalidParameterException",
        code: "InvalidParameter",
        message: message.into(),
        status: 400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:alerts";

    #[test]
    fn publish_stores_per_topic() {
        let mut sns = Sns::default();
        let mut ids = Ids::default();
        sns.seed(&json!({ "topics": [TOPIC] }), &mut ids).unwrap();
        let input = json!({"TopicArn": TOPIC, "Message": {"order": 1}, "Subject": "New"});
        let out = sns.call("publish", &input, &mut ids).unwrap().unwrap();
        let stored = &sns.topics[TOPIC][0];
        assert_eq!(stored["MessageId"], out["MessageId"]);
        assert_eq!(stored["Message"], "{\"order\":1}");
        assert_eq!(stored["Subject"], "New");
        let by_target = json!({"TargetArn": TOPIC, "Message": "two"});
        sns.call("publish", &by_target, &mut ids).unwrap().unwrap();
        assert_eq!(sns.topics[TOPIC].len(), 2);
    }

    #[test]
    fn publish_errors() {
        let mut sns = Sns::default();
        let mut ids = Ids::default();
        let err = sns
            .call(
                "publish",
                &json!({"TopicArn": TOPIC, "Message": "x"}),
                &mut ids,
            )
            .unwrap()
            .unwrap_err();
        assert_eq!((err.exception, err.status), ("NotFoundException", 404));
        let err = sns
            .call("publish", &json!({"Message": "x"}), &mut ids)
            .unwrap()
            .unwrap_err();
        assert_eq!(err.exception, "InvalidParameterException");
        assert!(sns.call("subscribe", &json!({}), &mut ids).is_none());
    }
}
