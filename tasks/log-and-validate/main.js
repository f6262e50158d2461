(function(input, context) {
    // The input schema guarantees the shape (types, required fields, non-negative amounts,
    // at least one line). This task checks what a schema cannot: that the numbers add up.
    const { orderId, currency, lines, discount = 0, total } = input;
    const LARGE_QUANTITY = 100;

    console.info(`Validating order ${orderId}: ${lines.length} line(s) in ${currency}` +
        (context ? ` (execution ${context.executionId}, attempt ${context.attempt})` : ""));

    const violations = [];
    const warnings = [];

    // Money is compared in whole cents, so 0.1 + 0.2 style rounding never causes a false alarm.
    function toCents(amount, where) {
        const cents = Math.round(amount * 100);
        if (Math.abs(amount * 100 - cents) > 1e-6) {
            violations.push(`${where} ${amount} has more than 2 decimal places`);
        }
        return cents;
    }
    function money(cents) {
        return (cents / 100).toFixed(2);
    }

    let subtotalCents = 0;
    let itemCount = 0;
    const seenSkus = {};

    lines.forEach(function(line, index) {
        const label = `line ${index + 1} (${line.sku})`;
        const unitCents = toCents(line.unitPrice, `${label}: unitPrice`);
        const lineCents = toCents(line.lineTotal, `${label}: lineTotal`);
        const expectedCents = line.quantity * unitCents;
        console.debug(`${label}: ${line.quantity} x ${money(unitCents)} = ${money(expectedCents)}, stated ${money(lineCents)}`);

        if (lineCents !== expectedCents) {
            violations.push(`${label}: lineTotal ${money(lineCents)} does not equal quantity ${line.quantity} x unitPrice ${money(unitCents)} = ${money(expectedCents)}`);
        }
        if (seenSkus[line.sku] !== undefined) {
            const warning = `${label}: SKU ${line.sku} also appears on line ${seenSkus[line.sku] + 1}`;
            console.warn(warning);
            warnings.push(warning);
        } else {
            seenSkus[line.sku] = index;
        }
        if (line.quantity > LARGE_QUANTITY) {
            const warning = `${label}: unusually large quantity ${line.quantity}`;
            console.warn(warning);
            warnings.push(warning);
        }
        subtotalCents += lineCents;
        itemCount += line.quantity;
    });

    const discountCents = toCents(discount, "discount");
    const totalCents = toCents(total, "total");
    const expectedTotalCents = subtotalCents - discountCents;
    console.log(`Subtotal ${money(subtotalCents)} ${currency}, discount ${money(discountCents)}, stated total ${money(totalCents)}`);

    if (discountCents > subtotalCents) {
        violations.push(`discount ${money(discountCents)} is larger than the subtotal ${money(subtotalCents)}`);
    } else if (totalCents !== expectedTotalCents) {
        violations.push(`total ${money(totalCents)} does not equal subtotal ${money(subtotalCents)} - discount ${money(discountCents)} = ${money(expectedTotalCents)}`);
    }

    if (violations.length > 0) {
        violations.forEach(function(violation) {
            console.error(`Order ${orderId}: ${violation}`);
        });
        throw new DataError(`Order ${orderId} breaks ${violations.length} business rule(s): ${violations.join("; ")}`);
    }

    console.info(`Order ${orderId} is consistent: ${itemCount} item(s), total ${money(totalCents)} ${currency}` +
        (warnings.length > 0 ? `, ${warnings.length} warning(s)` : ""));

    return {
        orderId: orderId,
        valid: true,
        currency: currency,
        lineCount: lines.length,
        itemCount: itemCount,
        subtotal: subtotalCents / 100,
        discount: discountCents / 100,
        total: totalCents / 100,
        warnings: warnings,
        checkedAt: new Date().toISOString()
    };
})
