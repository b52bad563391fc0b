export default { Boom: async () => { throw { errorType: "Kaboom", errorMessage: "x" }; } };
