export default { Flaky: async (input, context) => { throw { errorType: "Busy", errorMessage: "attempt " + (context.retryCount + 1) }; } };
