export default { Nothing: async () => undefined };
