(function(input, context) {
    // input has been checked against input.schema.json: num1 and num2 are finite numbers.
    const { num1, num2 } = input;
    return { sum: num1 + num2 };
})
