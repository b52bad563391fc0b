//! TestState checks a mocked result against the output shape of the API the Task calls
//! (fieldValidationMode STRICT, the default, and PRESENT; NONE skips it). AWS uses the
//! full service models; this table holds the output shapes of a few common APIs, in
//! part: fields it does not know are accepted, as AWS accepts fields outside the model.

use serde_json::Value;

/// An output shape, as far as TestState's validation looks at it.
enum Shape {
    String,
    /// A whole number within bounds (`integer`/`long` in the service model).
    Integer {
        min: Option<i64>,
        max: Option<i64>,
    },
    /// `double`/`float`.
    Number,
    Enum(&'static [&'static str]),
    List(&'static Shape),
    Structure(&'static [(&'static str, Shape)]),
}

const ANY_INTEGER: Shape = Shape::Integer {
    min: None,
    max: None,
};

const S3_STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
];

const KMS_ENCRYPT: Shape = Shape::Structure(&[
    ("CiphertextBlob", Shape::String),
    ("KeyId", Shape::String),
    (
        "EncryptionAlgorithm",
        Shape::Enum(&[
            "SYMMETRIC_DEFAULT",
            "RSAES_OAEP_SHA_1",
            "RSAES_OAEP_SHA_256",
            "SM2PKE",
        ]),
    ),
]);

const LAMBDA_GET_FUNCTION: Shape = Shape::Structure(&[(
    "Configuration",
    Shape::Structure(&[
        ("FunctionName", Shape::String),
        ("FunctionArn", Shape::String),
        ("Runtime", Shape::String),
        ("Role", Shape::String),
        ("Handler", Shape::String),
        ("CodeSize", ANY_INTEGER),
        ("Description", Shape::String),
        (
            "Timeout",
            Shape::Integer {
                min: Some(1),
                max: None,
            },
        ),
        (
            "MemorySize",
            Shape::Integer {
                min: Some(128),
                max: Some(10240),
            },
        ),
        ("LastModified", Shape::String),
        ("CodeSha256", Shape::String),
        ("Version", Shape::String),
    ]),
)]);

const S3_GET_OBJECT: Shape = Shape::Structure(&[
    ("ContentLength", ANY_INTEGER),
    ("ContentType", Shape::String),
    ("ETag", Shape::String),
    ("VersionId", Shape::String),
    ("StorageClass", Shape::Enum(S3_STORAGE_CLASSES)),
    ("PartsCount", ANY_INTEGER),
    ("TagCount", ANY_INTEGER),
]);

const DYNAMODB_CAPACITY: Shape = Shape::Structure(&[
    ("TableName", Shape::String),
    ("CapacityUnits", Shape::Number),
    ("ReadCapacityUnits", Shape::Number),
    ("WriteCapacityUnits", Shape::Number),
]);

const DYNAMODB_PUT_ITEM: Shape = Shape::Structure(&[("ConsumedCapacity", DYNAMODB_CAPACITY)]);

const EVENTS_PUT_EVENTS: Shape = Shape::Structure(&[
    ("FailedEntryCount", ANY_INTEGER),
    (
        "Entries",
        Shape::List(&Shape::Structure(&[
            ("EventId", Shape::String),
            ("ErrorCode", Shape::String),
            ("ErrorMessage", Shape::String),
        ])),
    ),
]);

const LAMBDA_INVOKE: Shape = Shape::Structure(&[
    ("StatusCode", ANY_INTEGER),
    ("FunctionError", Shape::String),
    ("LogResult", Shape::String),
    ("ExecutedVersion", Shape::String),
]);

fn shape_of(resource: &str) -> Option<&'static Shape> {
    let action = resource.strip_prefix("arn:aws:states:::")?;
    let action = action.split('.').next().unwrap_or(action);
    let action = action.strip_prefix("aws-sdk:").unwrap_or(action);
    match action.to_ascii_lowercase().as_str() {
        "kms:encrypt" => Some(&KMS_ENCRYPT),
        "lambda:getfunction" => Some(&LAMBDA_GET_FUNCTION),
        "s3:getobject" => Some(&S3_GET_OBJECT),
        "dynamodb:putitem" => Some(&DYNAMODB_PUT_ITEM),
        "events:putevents" => Some(&EVENTS_PUT_EVENTS),
        "lambda:invoke" => Some(&LAMBDA_INVOKE),
        _ => None,
    }
}

/// The first problem AWS would report for this mocked result, if any.
pub fn check(resource: &str, result: &Value) -> Option<String> {
    let shape = shape_of(resource)?;
    let problem = check_value(shape, "", result)?;
    Some(format!("Mock result schema validation error: {problem}"))
}

fn check_value(shape: &Shape, name: &str, value: &Value) -> Option<String> {
    match shape {
        Shape::String if !value.is_string() => Some(format!("Field '{name}' must be a string")),
        Shape::Number if !value.is_number() => Some(format!("Field '{name}' must be a number")),
        Shape::Integer { min, max } => {
            let Some(n) = value.as_f64() else {
                return Some(format!("Field '{name}' must be a number"));
            };
            if max.is_some_and(|m| n > m as f64) {
                return Some(format!("Field '{name}' exceeds the maximum value"));
            }
            if min.is_some_and(|m| n < m as f64) {
                return Some(format!("Field '{name}' is less than the minimum value"));
            }
            None
        }
        Shape::Enum(values) => match value.as_str() {
            Some(s) if values.contains(&s) => None,
            _ => Some(format!("Field '{name}' is not an expected value")),
        },
        Shape::List(item) => {
            let Some(items) = value.as_array() else {
                return Some(format!("Field '{name}' must be an array"));
            };
            items.iter().find_map(|v| check_value(item, name, v))
        }
        Shape::Structure(fields) => {
            let Some(map) = value.as_object() else {
                return Some(format!("Field '{name}' must be an object"));
            };
            fields.iter().find_map(|(field, shape)| {
                map.get(*field).and_then(|v| check_value(shape, field, v))
            })
        }
        _ => None,
    }
}
