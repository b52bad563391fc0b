export default {
  ask: (payload, context) => {
    setTimeout(() => context.sendTaskFailure(payload.token, "Rejected", "over budget"), 5);
    return "queued";
  },
};
