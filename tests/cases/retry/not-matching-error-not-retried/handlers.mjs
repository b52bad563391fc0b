export default { Flaky: async (input, context) => { throw { errorType: "Fatal", errorMessage: "attempt " + (context.retryCount + 1) }; } };
