export default { Slow: () => new Promise(() => {}) };
