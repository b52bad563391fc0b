export default { Echo: async (input, context) => ({ ...input, handlerState: context.stateName }) };
