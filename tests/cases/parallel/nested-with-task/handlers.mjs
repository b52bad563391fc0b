export default { Double: async ({ n }) => n * 2 };
