export default {
  Flaky: async (input) => {
    if (input.retryCount < 2) throw { errorType: "Busy", errorMessage: "retryCount " + input.retryCount };
    return input;
  },
};
