export default { Total: async () => ({ total: 99 }) };
