export default { price: (input) => ({ unit: 10, echo: input }) };
