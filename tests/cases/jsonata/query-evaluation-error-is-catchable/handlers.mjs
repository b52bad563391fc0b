export default { calc: (input) => input };
