(function(input, context) {
    const { location, apiKey, units = 'metric' } = input;
    
    try {
        const url = `https://api.openweathermap.org/data/2.5/weather?q=${encodeURIComponent(location)}&appid=${encodeURIComponent(apiKey)}&units=${units}`;
        
        const response = fetch(url, {
            method: "GET",
            headers: { 'Content-Type': 'application/json' }
        });
        
        if (!response.ok) {
            throw new NetworkError(`Weather API returned ${response.status}`);
        }
        
        const data = response.body;
        
        return {
            location: data.name,
            temperature: data.main.temp,
            description: data.weather[0].description,
            units: units,
            timestamp: new Date().toISOString()
        };
        
    } catch (error) {
        if (error instanceof NetworkError) {
            throw error;
        }
        throw new Error(`Weather fetch failed: ${error.message}`);
    }
})
