// Sends one heartbeat, then goes silent: the task times out after HeartbeatSeconds.
export default {
  work: (payload, context) => {
    setTimeout(() => context.sendTaskHeartbeat(payload.token), 300);
    return "started";
  },
};
