export default {
  Flaky: async (input, context) => {
    if (context.retryCount < 1) throw { errorType: "AnyError", errorMessage: "attempt " + (context.retryCount + 1) };
    return { attempts: context.retryCount + 1 };
  },
};
