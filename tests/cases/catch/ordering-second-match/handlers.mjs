export default { Flaky: async (input, context) => { throw { errorType: "C", errorMessage: "attempt " + (context.retryCount + 1) }; } };
