let calls = 0;
export default { Flaky: async () => { calls += 1; if (calls === 1) throw { errorType: "Flaky", errorMessage: "first call fails" }; return { calls }; } };
