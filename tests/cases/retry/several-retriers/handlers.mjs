export default {
  Flaky: async (input, context) => {
    if (context.retryCount === 0) throw { errorType: "Busy", errorMessage: "busy" };
    if (context.retryCount === 1) throw { errorType: "Throttled", errorMessage: "slow down" };
    return { attempts: context.retryCount + 1 };
  },
};
