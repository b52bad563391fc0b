export default {
  Alpha: async (input) => ({ by: "alpha", n: input.n }),
  Beta: async (input) => ({ by: "beta", n: input.n }),
  "*": async (input) => ({ by: "fallback", n: input.n }),
};
