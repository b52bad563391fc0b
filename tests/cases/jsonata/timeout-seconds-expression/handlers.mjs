export default { slow: () => new Promise(() => {}) };
