//! In-memory AWS services with the request and response shapes of Step Functions'
//! service integrations. Their state lives in the driver for one execution and can be
//! seeded from options (`Services::seed`) and read back (`Services::snapshot`).
//!
//! Each service module answers an API call with the AWS response or an [`ApiError`];
//! this module adds what depends on how the task named the service: the optimized
//! integration (`arn:aws:states:::dynamodb:putItem`: AWS SDK for Java v1 errors and the
//! `SdkHttpMetadata` wrapper) or the AWS SDK integration (`aws-sdk:dynamodb:putItem`:
//! SDK v2 errors, the bare response).
//!
//! Seed and snapshot shape (the snapshot always uses the object forms):
//! ```text
//! { s3?:          { BUCKET: { KEY: text } },
//!   dynamodb?:    { tables: { NAME: { keySchema: { partitionKey: "pk", sortKey?: "sk" },
//!                                     items?: [ { pk: { S: "1" }, ... } ] } } },
//!   sqs?:         { queues: [URL, ...] | { URL: [ body text | { Body, MessageId?, ... } ] } },
//!   sns?:         { topics: [ARN, ...] | { ARN: [ message text | { Message, ... } ] } },
//!   eventbridge?: { buses:  [NAME, ...] | { NAME: [ { Source, DetailType, Detail, ... } ] } } }
//! ```
//! Seed errors are messages with the path of the bad value relative to the seed
//! (`dynamodb.tables.Orders.keySchema is missing ...`); hosts prefix their option name.
//! A DynamoDB table, an SQS queue or an SNS topic exists only when seeded (as in AWS,
//! using one that does not exist fails); the EventBridge bus `default` always exists.

pub mod dynamodb;
pub mod eventbridge;
pub mod s3;
pub mod sns;
pub mod sqs;

use crate::exec::rng::Rng;
use crate::exec::{EffectResult, Failure, Invocation, TaskKind};
use serde_json::{json, Map, Value};

/// Every in-memory service one execution can use.
#[derive(Clone, Debug, Default)]
pub struct Services {
    pub s3: s3::S3,
    pub dynamodb: dynamodb::DynamoDb,
    pub sqs: sqs::Sqs,
    pub sns: sns::Sns,
    pub eventbridge: eventbridge::EventBridge,
    pub ids: Ids,
    /// The running execution's ARN and its state machine's ARN, which the optimized
    /// EventBridge integration appends to each event's Resources (set by the host).
    pub execution_arn: Option<String>,
    pub state_machine_arn: Option<String>,
}

/// A failed API call, before Step Functions names it (see `Services::perform`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The exception, e.g. `ConditionalCheckFailedException`.
    pub exception: &'static str,
    /// The wire error code when it differs from the exception name (SQS, SNS).
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

impl ApiError {
    pub fn new(exception: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            exception,
            code: exception,
            message: message.into(),
            status: 400,
        }
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new("ValidationException", message)
    }
}

pub type ApiResult = Result<Value, ApiError>;

/// Deterministic ids (message ids, event ids, request ids): uuid-shaped, derived from a
/// counter so that runs are reproducible.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    count: u64,
}

impl Ids {
    pub fn uuid(&mut self) -> String {
        self.count += 1;
        Rng::new(0x5eed_5e41_ce00_0000 ^ self.count).uuid_v4()
    }
}

/// How Step Functions names a service in errors: the optimized integration's prefix,
/// the SDK for Java v1 client name (in causes), and the `aws-sdk:` integration's prefix
/// (the SDK for Java v2 client name, in PascalCase: `DynamoDb`, `Sqs`, like AWS's
/// documented `AcmPca.ResourceNotFoundException`).
struct Naming {
    optimized: &'static str,
    v1_client: &'static str,
    sdk: &'static str,
    content_type: &'static str,
}

const DYNAMODB: Naming = Naming {
    optimized: "DynamoDB",
    v1_client: "AmazonDynamoDBv2",
    sdk: "DynamoDb",
    content_type: "application/x-amz-json-1.0",
};
const SQS: Naming = Naming {
    optimized: "SQS",
    v1_client: "AmazonSQS",
    sdk: "Sqs",
    content_type: "text/xml",
};
const SNS: Naming = Naming {
    optimized: "SNS",
    v1_client: "AmazonSNS",
    sdk: "Sns",
    content_type: "text/xml",
};
const EVENTBRIDGE: Naming = Naming {
    optimized: "EventBridge",
    v1_client: "AmazonCloudWatchEvents",
    sdk: "EventBridge",
    content_type: "application/x-amz-json-1.1",
};

impl Services {
    /// Performs a service task if one of our services implements it; `None` when the
    /// service is not simulated (the caller reports that). A `.waitForTaskToken` task is
    /// not performed here: its result is the callback, not the API response (a host that
    /// simulates callbacks sends the request with `perform_request`, then waits).
    pub fn perform(&mut self, invocation: &Invocation) -> Option<EffectResult> {
        if invocation.task_token.is_some() {
            return None;
        }
        self.perform_request(invocation)
    }

    /// Sends a service task's request and returns the API's answer, whatever the
    /// integration pattern; `None` when the service is not simulated.
    pub fn perform_request(&mut self, invocation: &Invocation) -> Option<EffectResult> {
        let TaskKind::Service { service, action } = &*invocation.kind else {
            return None;
        };
        let (sdk, name) = match service.strip_prefix("aws-sdk:") {
            Some(name) => (true, name),
            None => (false, service.as_str()),
        };
        let input = &invocation.input.to_serde();
        let ids = &mut self.ids;
        let (naming, result) = match (sdk, name) {
            (_, "s3") => return Some(self.s3.call(action, input)),
            (_, "dynamodb") => (&DYNAMODB, self.dynamodb.call(action, input)),
            (_, "sqs") => (&SQS, self.sqs.call(action, input, ids)),
            (_, "sns") => (&SNS, self.sns.call(action, input, ids)),
            (false, "events") => {
                let input = with_resources(input, [&self.execution_arn, &self.state_machine_arn]);
                (&EVENTBRIDGE, self.eventbridge.call(action, &input, ids))
            }
            (true, "eventbridge") => (&EVENTBRIDGE, self.eventbridge.call(action, input, ids)),
            _ => return None,
        };
        let Some(result) = result else {
            return Some(unsupported(naming.optimized, action));
        };
        Some(match result {
            Err(e) => EffectResult::Err(self.ids.failure(naming, sdk, e)),
            Ok(response) if sdk => EffectResult::ok_json(response),
            Ok(response) if naming.optimized == "EventBridge" => {
                // The optimized PutEvents fails the task when an entry failed.
                match response.get("FailedEntryCount").and_then(Value::as_u64) {
                    Some(n) if n > 0 => EffectResult::Err(Failure::new(
                        "EventBridge.FailedEntry",
                        crate::json::stringify(&response),
                    )),
                    _ => EffectResult::ok_json(response),
                }
            }
            Ok(response) => EffectResult::ok_json(self.ids.with_metadata(naming, response)),
        })
    }

    /// Adds the seeded state to the services (a seed may be applied more than once).
    pub fn seed(&mut self, seed: &Value) -> Result<(), String> {
        let Value::Object(seed) = seed else {
            return Err("the services seed must be an object".into());
        };
        for (name, value) in seed {
            match name.as_str() {
                "s3" => self.s3.seed(value)?,
                "dynamodb" => self.dynamodb.seed(value)?,
                "sqs" => self.sqs.seed(value, &mut self.ids)?,
                "sns" => self.sns.seed(value, &mut self.ids)?,
                "eventbridge" => self.eventbridge.seed(value, &mut self.ids)?,
                other => {
                    return Err(format!(
                        "unknown service '{other}'; expected s3, dynamodb, sqs, sns or eventbridge"
                    ))
                }
            }
        }
        Ok(())
    }

    /// All state, in the seed's shape.
    pub fn snapshot(&self) -> Value {
        json!({
            "s3": self.s3.buckets,
            "dynamodb": self.dynamodb.snapshot(),
            "sqs": { "queues": self.sqs.queues },
            "sns": { "topics": self.sns.topics },
            "eventbridge": { "buses": self.eventbridge.buses },
        })
    }
}

impl Ids {
    /// The failure Step Functions reports for a failed call.
    fn failure(&mut self, naming: &Naming, sdk: bool, e: ApiError) -> Failure {
        let request = self.uuid();
        let ApiError {
            exception,
            code,
            message,
            status,
        } = e;
        if sdk {
            let service = naming.sdk;
            return Failure::new(
                format!("{service}.{exception}"),
                format!(
                    "{message} (Service: {service}, Status Code: {status}, Request ID: {request})"
                ),
            );
        }
        Failure::new(
            format!("{}.{exception}", naming.optimized),
            format!(
                "{message} (Service: {}; Status Code: {status}; Error Code: {code}; Request ID: {request}; Proxy: null)",
                naming.v1_client
            ),
        )
    }

    /// What optimized integrations (AWS SDK for Java v1) add to a response.
    fn with_metadata(&mut self, naming: &Naming, response: Value) -> Value {
        let request = self.uuid();
        let length = crate::json::stringify(&response).len().to_string();
        let mut out = match response {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let date = "Tue, 14 Nov 2023 22:13:20 GMT";
        out.insert(
            "SdkHttpMetadata".into(),
            json!({
                "AllHttpHeaders": {
                    "x-amzn-RequestId": [request],
                    "Content-Length": [length],
                    "Date": [date],
                    "Content-Type": [naming.content_type],
                },
                "HttpHeaders": {
                    "Content-Length": length,
                    "Content-Type": naming.content_type,
                    "Date": date,
                    "x-amzn-RequestId": request,
                },
                "HttpStatusCode": 200,
            }),
        );
        out.insert(
            "SdkResponseMetadata".into(),
            json!({ "RequestId": request }),
        );
        Value::Object(out)
    }
}

/// The optimized PutEvents request: each entry's Resources gain the execution's and
/// the state machine's ARNs.
fn with_resources(input: &Value, arns: [&Option<String>; 2]) -> Value {
    let mut input = input.clone();
    let arns: Vec<Value> = arns.into_iter().flatten().map(|arn| json!(arn)).collect();
    if let Some(Value::Array(entries)) = input.get_mut("Entries") {
        for entry in entries.iter_mut().filter_map(Value::as_object_mut) {
            match entry.get_mut("Resources") {
                Some(Value::Array(resources)) => resources.extend(arns.iter().cloned()),
                Some(_) => {}
                None if !arns.is_empty() => {
                    entry.insert("Resources".into(), Value::Array(arns.clone()));
                }
                None => {}
            }
        }
    }
    input
}

/// An API a simulated service does not implement: a clear failure naming it.
pub fn unsupported(service: &str, action: &str) -> EffectResult {
    EffectResult::Err(Failure::new(
        "Statelab.UnsupportedIntegration",
        format!("The in-memory {service} service does not implement {action}; register a handler for this resource"),
    ))
}

/// A request field that must be text.
fn text<'a>(input: &'a Value, name: &str) -> Result<&'a str, ApiError> {
    match input.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(ApiError::validation(format!("{name} must be a string"))),
        None => Err(ApiError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(name)
        ))),
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        // Field names are ASCII (AWS API members).
        Some(c) => std::iter::once(c.to_ascii_lowercase())
            .chain(chars)
            .collect(),
        None => String::new(),
    }
}

/// A message body: text as is; any other JSON value as its JSON text (Step Functions
/// serialises a JSON MessageBody or Message).
fn body_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => crate::json::stringify(other),
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    crate::intrinsic::md5(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Seeds `{ NAME: [records] }` or `[NAME, ...]` into per-name record lists, turning
/// each record into its stored form with `record`.
fn seed_lists(
    lists: &mut std::collections::BTreeMap<String, Vec<Value>>,
    value: Option<&Value>,
    what: &str,
    mut record: impl FnMut(&Value) -> Result<Value, String>,
) -> Result<(), String> {
    match value {
        None => Ok(()),
        Some(Value::Array(names)) => {
            for name in names {
                let Value::String(name) = name else {
                    return Err(format!(
                        "{what} must be names (strings) or an object of name -> array"
                    ));
                };
                lists.entry(name.clone()).or_default();
            }
            Ok(())
        }
        Some(Value::Object(map)) => {
            for (name, records) in map {
                let Value::Array(records) = records else {
                    return Err(format!("{what}.{name} must be an array"));
                };
                let mut stored = Vec::with_capacity(records.len());
                for (i, r) in records.iter().enumerate() {
                    stored.push(record(r).map_err(|e| format!("{what}.{name}[{i}]: {e}"))?);
                }
                lists.entry(name.clone()).or_default().extend(stored);
            }
            Ok(())
        }
        Some(_) => Err(format!(
            "{what} must be an array of names or an object of name -> array"
        )),
    }
}

/// The object seed of one service, with only the expected keys.
fn seed_object<'a>(
    value: &'a Value,
    service: &str,
    keys: &[&str],
) -> Result<&'a Map<String, Value>, String> {
    let Value::Object(map) = value else {
        return Err(format!("{service} must be an object"));
    };
    if let Some(other) = map.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(format!(
            "unknown key '{other}' in {service}; expected {}",
            keys.join(", ")
        ));
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoke(resource: &str, input: Value) -> Invocation {
        let (service, action) = crate::exec::resource_parts(resource);
        Invocation {
            state_name: "Task".into(),
            resource: resource.into(),
            kind: TaskKind::Service { service, action }.into(),
            input: input.into(),
            task_token: None,
            sync: false,
            timeout_seconds: None,
            heartbeat_seconds: None,
            retry_count: 0,
        }
    }

    #[test]
    fn optimized_and_sdk_forms_differ_in_errors_and_metadata() {
        let mut services = Services::default();
        services
            .seed(&json!({"sqs": {"queues": ["https://q/1"]}}))
            .unwrap();
        let input = json!({"QueueUrl": "https://q/1", "MessageBody": "hi"});
        let Some(EffectResult::Ok(out)) =
            services.perform(&invoke("arn:aws:states:::sqs:sendMessage", input.clone()))
        else {
            panic!("optimized sendMessage failed");
        };
        assert!(out.get("SdkHttpMetadata").is_some());
        let Some(EffectResult::Ok(out)) =
            services.perform(&invoke("arn:aws:states:::aws-sdk:sqs:sendMessage", input))
        else {
            panic!("sdk sendMessage failed");
        };
        assert!(out.get("SdkHttpMetadata").is_none());
        let missing = json!({"TableName": "Nope", "Key": {"pk": {"S": "1"}}});
        let Some(EffectResult::Err(f)) = services.perform(&invoke(
            "arn:aws:states:::dynamodb:getItem",
            missing.clone(),
        )) else {
            panic!("expected a failure");
        };
        assert_eq!(f.error, "DynamoDB.ResourceNotFoundException");
        assert!(f.cause.unwrap().starts_with(
            "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException;"
        ));
        let Some(EffectResult::Err(f)) = services.perform(&invoke(
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            missing,
        )) else {
            panic!("expected a failure");
        };
        assert_eq!(f.error, "DynamoDb.ResourceNotFoundException");
    }

    #[test]
    fn callback_tasks_are_left_to_the_host() {
        let mut services = Services::default();
        services
            .seed(&json!({"sqs": {"queues": ["https://q/1"]}}))
            .unwrap();
        let mut call = invoke(
            "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            json!({"QueueUrl": "https://q/1", "MessageBody": "token"}),
        );
        call.task_token = Some("t".into());
        assert!(services.perform(&call).is_none());
        assert!(services.sqs.queues["https://q/1"].is_empty());
        assert!(matches!(
            services.perform_request(&call),
            Some(EffectResult::Ok(_))
        ));
        assert_eq!(services.sqs.queues["https://q/1"].len(), 1);
    }

    #[test]
    fn unknown_services_and_actions() {
        let mut services = Services::default();
        assert!(services
            .perform(&invoke("arn:aws:states:::ecs:runTask", json!({})))
            .is_none());
        let Some(EffectResult::Err(f)) = services.perform(&invoke(
            "arn:aws:states:::aws-sdk:sqs:purgeQueue",
            json!({}),
        )) else {
            panic!("expected a failure");
        };
        assert_eq!(f.error, "Statelab.UnsupportedIntegration");
        assert!(f.cause.unwrap().contains("purgeQueue"));
    }

    #[test]
    fn seed_errors_name_the_problem() {
        let mut services = Services::default();
        let err = services.seed(&json!({"kinesis": {}})).unwrap_err();
        assert!(err.contains("kinesis"), "{err}");
        let err = services.seed(&json!({"sqs": {"queues": 3}})).unwrap_err();
        assert!(err.contains("sqs.queues"), "{err}");
        assert!(services.seed(&json!([])).is_err());
    }

    #[test]
    fn snapshot_round_trips_through_seed() {
        let mut services = Services::default();
        let seed = json!({
            "s3": {"b": {"k": "v"}},
            "dynamodb": {"tables": {"T": {"keySchema": {"partitionKey": "pk"}, "items": [{"pk": {"S": "1"}}]}}},
            "sqs": {"queues": {"https://q/1": ["hello"]}},
            "sns": {"topics": ["arn:aws:sns:us-east-1:123456789012:t"]},
            "eventbridge": {"buses": ["custom"]},
        });
        services.seed(&seed).unwrap();
        let snapshot = services.snapshot();
        let mut again = Services::default();
        again.seed(&snapshot).unwrap();
        assert_eq!(again.snapshot(), snapshot);
        assert_eq!(snapshot["sqs"]["queues"]["https://q/1"][0]["Body"], "hello");
    }
}
