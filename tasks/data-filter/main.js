(function(input, context) {
    const { data, filter } = input;
    
    if (!Array.isArray(data)) {
        throw new DataError("Input 'data' must be an array");
    }
    
    const { field, value, operator } = filter;
    
    let filteredData;
    try {
        filteredData = data.filter(item => {
            const itemValue = item[field];
            
            switch (operator) {
                case 'equals':
                    return itemValue === value;
                case 'contains':
                    return String(itemValue).includes(String(value));
                case 'greater_than':
                    return Number(itemValue) > Number(value);
                case 'less_than':
                    return Number(itemValue) < Number(value);
                default:
                    throw new DataError(`Unknown operator: ${operator}`);
            }
        });
    } catch (error) {
        throw new DataError(`Filter operation failed: ${error.message}`);
    }
    
    return {
        originalCount: data.length,
        filteredCount: filteredData.length,
        filter: filter,
        data: filteredData,
        timestamp: new Date().toISOString()
    };
})
