export default { Charge: async () => { throw new TypeError("card is not a string"); } };
