export default { Boom: async () => { throw new Error("boom"); } };
