export default { Charge: async () => { throw new RangeError("amount too large"); } };
