/** A JSON Schema as the form reads it; what it does not know stays a JSON textarea. */
export type SchemaNode =
  | boolean
  | {
      type?: string | string[];
      enum?: unknown[];
      const?: unknown;
      format?: string;
      title?: string;
      description?: string;
      default?: unknown;
      properties?: Record<string, SchemaNode>;
      required?: string[];
      items?: SchemaNode;
      minimum?: number;
      maximum?: number;
      minLength?: number;
      maxLength?: number;
    };

/** One generated control: its element, and the value it holds (undefined: leave the property out). */
export interface Field {
  element: HTMLElement;
  read(): unknown;
}

interface Place {
  label: string;
  value: unknown;
  required: boolean;
  root?: boolean;
}

let ids = 0;
const nextId = () => `in-${++ids}`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The label with a visible required mark (the control also says it with aria-required). */
function labelFor(id: string, place: Place): HTMLLabelElement {
  const label = el("label", { htmlFor: id }, place.label);
  if (place.required) label.append(" ", el("abbr", { title: "required", className: "req" }, "*"));
  return label;
}

/** The description as help text the control points at. */
function help(schema: Exclude<SchemaNode, boolean>, control: HTMLElement, id: string): HTMLElement[] {
  if (!schema.description) return [];
  const helpId = `${id}-help`;
  control.setAttribute("aria-describedby", helpId);
  return [el("small", { id: helpId }, schema.description)];
}

function typeOf(schema: Exclude<SchemaNode, boolean>): string | undefined {
  if (Array.isArray(schema.enum)) return "enum";
  const type = Array.isArray(schema.type) ? schema.type.filter((t) => t !== "null") : schema.type;
  if (Array.isArray(type)) return type.length === 1 ? type[0] : undefined;
  if (type === undefined && schema.properties) return "object";
  return type;
}

/** <input type> for a string format; date-time uses datetime-local, read and written as UTC. */
const INPUT_TYPES: Record<string, string> = { "date-time": "datetime-local", date: "date", time: "time", email: "email", uri: "url", url: "url", iri: "url" };

function wrap(place: Place, id: string, control: HTMLElement, schema: Exclude<SchemaNode, boolean>, read: () => unknown): Field {
  if (place.required) control.setAttribute("aria-required", "true");
  return { element: el("div", { className: "field" }, labelFor(id, place), control, ...help(schema, control, id)), read };
}

function enumField(schema: Exclude<SchemaNode, boolean>, place: Place, value: unknown): Field {
  const id = nextId();
  const select = el("select", { id });
  if (!place.required) select.append(el("option", { value: "" }, "— none —"));
  for (const option of schema.enum!) select.append(el("option", { value: JSON.stringify(option), selected: JSON.stringify(option) === JSON.stringify(value) }, String(option)));
  return wrap(place, id, select, schema, () => (select.value === "" ? undefined : JSON.parse(select.value)));
}

function stringField(schema: Exclude<SchemaNode, boolean>, place: Place, value: unknown): Field {
  const id = nextId();
  const type = INPUT_TYPES[schema.format ?? ""] ?? "text";
  const input = el("input", { id, type });
  if (typeof value === "string") input.value = type === "datetime-local" ? value.replace(/Z$|[+-]\d\d:\d\d$/, "").slice(0, 16) : value;
  if (schema.maxLength !== undefined) input.maxLength = schema.maxLength;
  const label = type === "datetime-local" ? { ...place, label: `${place.label} (UTC)` } : place;
  return wrap(label, id, input, schema, () => {
    if (input.value === "") return place.required ? "" : undefined;
    if (type === "datetime-local") return new Date(`${input.value}Z`).toISOString();
    return input.value;
  });
}

function numberField(schema: Exclude<SchemaNode, boolean>, place: Place, value: unknown, integer: boolean): Field {
  const id = nextId();
  const input = el("input", { id, type: "number", step: integer ? "1" : "any" });
  if (typeof value === "number") input.value = String(value);
  if (schema.minimum !== undefined) input.min = String(schema.minimum);
  if (schema.maximum !== undefined) input.max = String(schema.maximum);
  // A value the browser cannot read as a number is sent as typed, so the schema check names it.
  return wrap(place, id, input, schema, () => (input.value === "" ? undefined : Number.isNaN(Number(input.value)) ? input.value : Number(input.value)));
}

function booleanField(schema: Exclude<SchemaNode, boolean>, place: Place, value: unknown): Field {
  const id = nextId();
  const input = el("input", { id, type: "checkbox", checked: value === true });
  const known = typeof value === "boolean";
  const field = wrap(place, id, input, schema, () => (input.checked || place.required || known ? input.checked : undefined));
  field.element.classList.add("check");
  return field;
}

/** Anything the form cannot lay out (unions, free objects): its JSON in a textarea. */
function jsonField(schema: SchemaNode, place: Place, value: unknown): Field {
  const id = nextId();
  const area = el("textarea", { id, rows: 3, className: "mono", spellcheck: false, value: value === undefined ? "" : JSON.stringify(value, null, 2) });
  const node = typeof schema === "object" ? schema : {};
  const field = wrap({ ...place, label: `${place.label} (JSON)` }, id, area, node, () => {
    if (area.value.trim() === "") return undefined;
    try {
      return JSON.parse(area.value);
    } catch {
      return area.value;
    }
  });
  return field;
}

function objectField(schema: Exclude<SchemaNode, boolean>, place: Place, value: unknown): Field {
  const current = (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const required = new Set(schema.required ?? []);
  const children = Object.entries(schema.properties ?? {}).map(([key, sub]) => ({ key, field: buildField(sub, { label: (typeof sub === "object" && sub.title) || key, value: current[key], required: required.has(key) }) }));
  const set = el("fieldset", { className: place.root ? "object root" : "object" });
  if (!place.root) {
    const legend = el("legend", {}, place.label);
    if (place.required) legend.append(" ", el("abbr", { title: "required", className: "req" }, "*"));
    set.append(legend);
    if (schema.description) set.append(el("small", {}, schema.description));
  }
  set.append(...children.map((c) => c.field.element));
  return {
    element: set,
    read() {
      const out: Record<string, unknown> = {};
      for (const { key, field } of children) {
        const v = field.read();
        if (v !== undefined) out[key] = v;
      }
      // Extra properties the form has no field for are kept.
      for (const [key, v] of Object.entries(current)) if (!(key in (schema.properties ?? {}))) out[key] = v;
      return Object.keys(out).length === 0 && !place.required && value === undefined ? undefined : out;
    },
  };
}

function arrayField(schema: Exclude<SchemaNode, boolean>, place: Place, value: unknown): Field {
  const itemSchema: SchemaNode = schema.items ?? true;
  const set = el("fieldset", { className: "array" });
  const legend = el("legend", {}, place.label);
  if (place.required) legend.append(" ", el("abbr", { title: "required", className: "req" }, "*"));
  set.append(legend);
  if (schema.description) set.append(el("small", {}, schema.description));
  const list = el("ol", { className: "items" });
  const items: { field: Field; row: HTMLLIElement }[] = [];
  const add = (itemValue: unknown) => {
    const field = buildField(itemSchema, { label: `Item ${items.length + 1}`, value: itemValue, required: true });
    const row = el("li", {}, field.element);
    const remove = el("button", { type: "button", className: "link" }, "Remove");
    remove.setAttribute("aria-label", `Remove item ${items.length + 1} of ${place.label}`);
    remove.addEventListener("click", () => {
      items.splice(items.findIndex((i) => i.row === row), 1);
      row.remove();
    });
    row.append(remove);
    items.push({ field, row });
    list.append(row);
  };
  for (const v of Array.isArray(value) ? value : []) add(v);
  const addButton = el("button", { type: "button" }, `Add ${place.label} item`);
  addButton.addEventListener("click", () => {
    add(undefined);
    items.at(-1)?.row.querySelector<HTMLElement>("input, select, textarea")?.focus();
  });
  set.append(list, addButton);
  return { element: set, read: () => (items.length === 0 && !place.required ? undefined : items.map((i) => i.field.read() ?? null)) };
}

/** The control for a schema at one place of the input, holding `value` (or the schema's default). */
export function buildField(schema: SchemaNode, place: Place): Field {
  if (typeof schema === "boolean") return jsonField(schema, place, place.value);
  const value = place.value === undefined ? schema.default : place.value;
  switch (typeOf(schema)) {
    case "enum":
      return enumField(schema, place, value);
    case "string":
      return stringField(schema, place, value);
    case "number":
      return numberField(schema, place, value, false);
    case "integer":
      return numberField(schema, place, value, true);
    case "boolean":
      return booleanField(schema, place, value);
    case "object":
      return schema.properties ? objectField(schema, place, value) : jsonField(schema, place, value);
    case "array":
      return arrayField(schema, place, value);
    default:
      return jsonField(schema, place, value);
  }
}
