import { checkSchemaDocument, compileSchema } from "../../src/engine/json-schema.ts";
const bad = {type: "object", properties: {a: {type: "strin"}, b: {minLength: -1}}, required: "a"};
console.log(checkSchemaDocument(bad));
console.log(checkSchemaDocument({...bad, $schema: "http://json-schema.org/draft-07/schema#"}));
console.log(checkSchemaDocument({$schema: "http://example.com/x"}));
console.log(compileSchema({type:"object", required:["a"], properties:{a:{type:"string"}, t:{type:"string", format:"date-time"}, n:{type:"array", items:{type:"number"}}, o: {oneOf:[{type:"string"},{type:"number"}]}}}).check({t:"nope", n:[1,"x"], o: true}));
