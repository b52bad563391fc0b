export default { List: async () => ({ items: ["x", "y"] }) };
