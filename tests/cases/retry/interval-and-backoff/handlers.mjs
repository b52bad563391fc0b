export default {
  Flaky: async (input, context) => {
    if (context.retryCount < 2) throw { errorType: "Busy", errorMessage: "attempt " + (context.retryCount + 1) };
    return { attempts: context.retryCount + 1 };
  },
};
