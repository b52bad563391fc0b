export default { Flaky: async (input, context) => { throw { errorType: "B", errorMessage: "attempt " + (context.retryCount + 1) }; } };
