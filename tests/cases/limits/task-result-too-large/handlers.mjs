export default { Big: async () => ({ data: "x".repeat(300 * 1024) }) };
