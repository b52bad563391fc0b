export default { "arn:aws:states:::sqs:sendMessage": () => ({ MessageId: "from-handler" }) };
