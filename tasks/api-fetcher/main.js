(function(input, context) {
    const { 
        url, 
        method = 'GET', 
        headers = {}, 
        body = null, 
        timeout = 30 
    } = input;
    
    try {
        // Prepare request options
        const requestOptions = {
            method: method,
            headers: {
                'Content-Type': 'application/json',
                ...headers
            }
        };
        
        console.log(`Making ${method} request to: ${url}`);
        
        // Make HTTP request
        const response = fetch(url, requestOptions, body);
        
        if (!response.ok) {
            throw new NetworkError(
                `HTTP ${response.status}: ${response.statusText}`
            );
        }
        
        const responseData = response.body;
        
        return {
            status: response.status,
            statusText: response.statusText,
            headers: response.headers || {},
            data: responseData,
            url: url,
            method: method,
            timestamp: new Date().toISOString(),
            executionId: context ? context.executionId : null
        };
        
    } catch (error) {
        if (error instanceof NetworkError) {
            throw error;
        }
        throw new Error(`API request failed: ${error.message}`);
    }
})
