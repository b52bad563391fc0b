//! In-memory AWS services (S3, DynamoDB, SQS, SNS, EventBridge) with the request and
//! response shapes of Step Functions' service integrations.
