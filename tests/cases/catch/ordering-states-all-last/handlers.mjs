export default { Flaky: async (input, context) => { throw { errorType: "Z", errorMessage: "attempt " + (context.retryCount + 1) }; } };
