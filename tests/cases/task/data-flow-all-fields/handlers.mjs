export default { Price: async ({ qty, unit }) => ({ total: qty * unit, currency: "EUR" }) };
