export default { CheckItem: async (sku) => ({ sku, ok: sku !== "b" }) };
