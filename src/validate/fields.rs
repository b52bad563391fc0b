//! The field tables: which fields each state type accepts in each query language, the
//! choice comparison operators, Map label characters, and Resource ARN shapes.

use super::ResourceUse;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum QueryLanguage {
    JSONPath,
    JSONata,
}

impl QueryLanguage {
    pub fn name(self) -> &'static str {
        match self {
            QueryLanguage::JSONPath => "JSONPath",
            QueryLanguage::JSONata => "JSONata",
        }
    }

    pub fn other(self) -> Self {
        match self {
            QueryLanguage::JSONPath => QueryLanguage::JSONata,
            QueryLanguage::JSONata => QueryLanguage::JSONPath,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateType {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

impl StateType {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Pass" => StateType::Pass,
            "Task" => StateType::Task,
            "Choice" => StateType::Choice,
            "Wait" => StateType::Wait,
            "Succeed" => StateType::Succeed,
            "Fail" => StateType::Fail,
            "Parallel" => StateType::Parallel,
            "Map" => StateType::Map,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            StateType::Pass => "Pass",
            StateType::Task => "Task",
            StateType::Choice => "Choice",
            StateType::Wait => "Wait",
            StateType::Succeed => "Succeed",
            StateType::Fail => "Fail",
            StateType::Parallel => "Parallel",
            StateType::Map => "Map",
        }
    }
}

const COMMON: &[&str] = &["Type", "Comment", "QueryLanguage"];
const FLOW: &[&str] = &["Next", "End"];
const JSONPATH_IO: &[&str] = &["InputPath", "OutputPath"];
const JSONPATH_RESULT: &[&str] = &["Parameters", "ResultPath", "ResultSelector"];
const ERRORS: &[&str] = &["Retry", "Catch"];

/// Fields of one state type in one query language.
pub struct FieldSet(Vec<&'static str>);

impl FieldSet {
    pub fn of(ty: StateType, ql: QueryLanguage) -> Self {
        use QueryLanguage::*;
        use StateType::*;
        let mut f: Vec<&'static str> = COMMON.to_vec();
        if !matches!(ty, Choice | Succeed | Fail) {
            f.extend(FLOW);
        }
        if !matches!(ty, Succeed | Fail) {
            f.push("Assign");
        }
        if ty != Fail {
            match ql {
                JSONPath => f.extend(JSONPATH_IO),
                JSONata => f.push("Output"),
            }
        }
        if matches!(ty, Task | Parallel | Map) {
            f.extend(ERRORS);
            match ql {
                JSONPath => f.extend(JSONPATH_RESULT),
                JSONata => {
                    if ty != Map {
                        f.push("Arguments");
                    }
                }
            }
        }
        match (ty, ql) {
            (Pass, JSONPath) => f.extend(["Parameters", "Result", "ResultPath"]),
            (Pass, JSONata) => {}
            (Task, _) => {
                f.extend([
                    "Resource",
                    "TimeoutSeconds",
                    "HeartbeatSeconds",
                    "Credentials",
                ]);
                if ql == JSONPath {
                    f.extend(["TimeoutSecondsPath", "HeartbeatSecondsPath"]);
                }
            }
            (Choice, _) => f.extend(["Choices", "Default"]),
            (Wait, JSONPath) => f.extend(["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]),
            (Wait, JSONata) => f.extend(["Seconds", "Timestamp"]),
            (Succeed, _) => {}
            (Fail, JSONPath) => f.extend(["Error", "ErrorPath", "Cause", "CausePath"]),
            (Fail, JSONata) => f.extend(["Error", "Cause"]),
            (Parallel, _) => f.push("Branches"),
            (Map, _) => {
                f.extend([
                    "ItemProcessor",
                    "Iterator",
                    "ItemSelector",
                    "ItemReader",
                    "ItemBatcher",
                    "ResultWriter",
                    "MaxConcurrency",
                    "ToleratedFailurePercentage",
                    "ToleratedFailureCount",
                    "Label",
                ]);
                match ql {
                    JSONPath => f.extend([
                        "ItemsPath",
                        "MaxConcurrencyPath",
                        "ToleratedFailurePercentagePath",
                        "ToleratedFailureCountPath",
                    ]),
                    JSONata => f.push("Items"),
                }
            }
        }
        FieldSet(f)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.0.contains(&key)
    }

    pub fn list(&self) -> String {
        self.0.join(", ")
    }
}

/// Whether some state type accepts this field in some query language.
pub fn known_somewhere(key: &str) -> bool {
    use StateType::*;
    [Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map]
        .into_iter()
        .any(|ty| {
            FieldSet::of(ty, QueryLanguage::JSONPath).contains(key)
                || FieldSet::of(ty, QueryLanguage::JSONata).contains(key)
        })
}

/// For a field of the other query language, what to use instead.
pub fn replacement_hint(key: &str, ql: QueryLanguage) -> &'static str {
    match (ql, key) {
        (QueryLanguage::JSONata, "Parameters") => "; use Arguments",
        (QueryLanguage::JSONata, "InputPath" | "OutputPath" | "ResultSelector" | "ResultPath") => {
            "; use Output (and Assign) with {% ... %} expressions"
        }
        (QueryLanguage::JSONata, "ItemsPath") => "; use Items",
        (QueryLanguage::JSONata, k) if k.ends_with("Path") => {
            "; use the field without 'Path' and a {% ... %} expression"
        }
        (QueryLanguage::JSONPath, "Arguments") => "; use Parameters",
        (QueryLanguage::JSONPath, "Output") => "; use OutputPath or ResultSelector",
        (QueryLanguage::JSONPath, "Items") => "; use ItemsPath",
        _ => "",
    }
}

/// The comparison operators of JSONPath choice rules.
pub fn is_comparison(key: &str) -> bool {
    const BASES: [&str; 3] = ["String", "Numeric", "Timestamp"];
    const OPS: [&str; 5] = [
        "Equals",
        "LessThan",
        "GreaterThan",
        "LessThanEquals",
        "GreaterThanEquals",
    ];
    let base = key.strip_suffix("Path").unwrap_or(key);
    if BASES
        .iter()
        .any(|b| base.strip_prefix(b).is_some_and(|op| OPS.contains(&op)))
    {
        return true;
    }
    matches!(
        key,
        "BooleanEquals"
            | "BooleanEqualsPath"
            | "StringMatches"
            | "IsNull"
            | "IsPresent"
            | "IsNumeric"
            | "IsString"
            | "IsBoolean"
            | "IsTimestamp"
    )
}

/// Characters a Map Label cannot contain.
pub fn invalid_label_char(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || c == '\u{fffe}'
        || c == '\u{ffff}'
        || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
}

/// Services with an optimized integration whose actions we know completely; an action
/// outside the list is rejected (AWS: "The resource provided ... is not recognized").
fn known_actions(service: &str) -> Option<&'static [&'static str]> {
    Some(match service {
        "dynamodb" => &["getItem", "putItem", "updateItem", "deleteItem"],
        "lambda" => &["invoke"],
        "sns" => &["publish"],
        "sqs" => &["sendMessage"],
        "states" => &["startExecution"],
        "events" => &["putEvents"],
        "batch" => &["submitJob"],
        "glue" => &["startJobRun"],
        "ecs" => &["runTask"],
        "apigateway" => &["invoke"],
        "http" => &["invoke"],
        _ => return None,
    })
}

/// Resource ARN shapes: `arn:<partition>:<service>:<region>:<account>:<resource>`, with
/// the Step Functions integrations `arn:aws:states:::<service>:<action>[.<pattern>]`.
pub fn check_resource(arn: &str, usage: ResourceUse) -> Result<(), String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" {
        return Err(
            "expected an ARN such as arn:aws:lambda:us-east-1:123456789012:function:Name or arn:aws:states:::lambda:invoke".into(),
        );
    }
    let (partition, service, region, account, resource) =
        (parts[1], parts[2], parts[3], parts[4], parts[5]);
    if !(partition == "aws" || partition.starts_with("aws-")) {
        return Err(format!("'{partition}' is not an AWS partition"));
    }
    if service.is_empty() || resource.is_empty() {
        return Err("the service and the resource must not be empty".into());
    }
    let is_integration = service == "states" && region.is_empty() && account.is_empty();
    if usage != ResourceUse::Task && !is_integration {
        return Err("expected an S3 integration such as arn:aws:states:::s3:getObject".into());
    }
    match service {
        "states" if is_integration => integration(resource, usage),
        "lambda" => {
            let segs: Vec<&str> = resource.split(':').collect();
            let name_ok = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            };
            match segs.as_slice() {
                ["function", name] if name_ok(name) => Ok(()),
                ["function", name, qualifier]
                    if name_ok(name)
                        && !qualifier.is_empty()
                        && qualifier
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$') =>
                {
                    Ok(())
                }
                _ => Err("a Lambda ARN must end in function:<name> or function:<name>:<version or alias>".into()),
            }
        }
        _ => Ok(()),
    }
}

fn integration(resource: &str, usage: ResourceUse) -> Result<(), String> {
    let (service, rest) = resource.split_once(':').ok_or_else(|| {
        format!("'{resource}' is not a service integration such as lambda:invoke")
    })?;
    if service == "aws-sdk" {
        let (sdk_service, action) = rest.split_once(':').unwrap_or((rest, ""));
        if sdk_service.is_empty() || action.is_empty() {
            return Err(
                "an AWS SDK integration looks like arn:aws:states:::aws-sdk:<service>:<action>"
                    .into(),
            );
        }
        return Ok(());
    }
    let (action, pattern) = match rest.split_once('.') {
        Some((a, p)) => (a, Some(p)),
        None => (rest, None),
    };
    if let Some(p) = pattern {
        if !matches!(p, "sync" | "sync:2" | "waitForTaskToken") {
            return Err(format!(
                "'.{p}' is not an integration pattern; expected .sync, .sync:2 or .waitForTaskToken"
            ));
        }
    }
    match usage {
        ResourceUse::Task => {}
        ResourceUse::ItemReader => {
            return match resource {
                "s3:getObject" | "s3:listObjectsV2" => Ok(()),
                _ => Err("an ItemReader reads from arn:aws:states:::s3:getObject or arn:aws:states:::s3:listObjectsV2".into()),
            }
        }
        ResourceUse::ResultWriter => {
            return match resource {
                "s3:putObject" => Ok(()),
                _ => Err("a ResultWriter writes with arn:aws:states:::s3:putObject".into()),
            }
        }
    }
    if let Some(actions) = known_actions(service) {
        if !actions.contains(&action) {
            return Err(format!(
                "'{service}:{action}' is not an optimized integration; {service} supports {} (use arn:aws:states:::aws-sdk:{service}:{action} for other actions)",
                actions.join(", ")
            ));
        }
    }
    Ok(())
}
