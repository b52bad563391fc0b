export default { Charge: async () => { throw { errorType: "PaymentDeclined", errorMessage: "insufficient funds" }; } };
