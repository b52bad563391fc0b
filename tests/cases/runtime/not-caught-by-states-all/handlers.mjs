export default { Echo: async (input) => input };
