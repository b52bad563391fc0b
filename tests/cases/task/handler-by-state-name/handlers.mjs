export default { "Check Inventory": async (input) => ({ ...input, byStateName: true }) };
