export default {
  CheckInventory: async (input) => ({ ...input, inStock: true }),
};
