export default { Work: async (item, context) => { if (item === "b" && context.retryCount === 0) throw { errorType: "Busy", errorMessage: "try later" }; return item.toUpperCase(); } };
