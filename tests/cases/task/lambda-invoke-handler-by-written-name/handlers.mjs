export default {
  "arn:aws:lambda:us-east-1:123456789012:function:CheckInventory:live": async (input) => ({ ...input, by: "written name" }),
  // Later in the lookup order than the name as written: must not be chosen.
  CheckInventory: async (input) => ({ ...input, by: "function name" }),
};
