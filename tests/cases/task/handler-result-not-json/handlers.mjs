export default { Broken: async () => ({ text: "\ud800" }) };
