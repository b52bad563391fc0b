// The worker: reads the message, then answers with the token a moment later.
export default {
  Approve: (input, context) => {
    setTimeout(() => context.sendTaskSuccess(input.MessageBody.token, { approved: true, by: "ana" }), 5);
    return { MessageId: "m-1", MD5OfMessageBody: "x" };
  },
};
