import { compileSchema } from "../../engine/json-schema.ts";
import { buildField, type Field, type SchemaNode } from "./schema-fields.ts";

/**
 * The run form: fields generated from the task's input schema in front of the raw-JSON textarea
 * (the form's one real field), a switch between the two, and a check with the engine's own
 * schema compiler (@cfworker/json-schema, as the server checks) before the form is sent.
 */
export function startRunForm(form: HTMLFormElement): void {
  const schema = JSON.parse(form.dataset.schema ?? "true") as SchemaNode;
  const textarea = form.querySelector<HTMLTextAreaElement>("textarea[name=input]")!;
  const fieldsBox = form.querySelector<HTMLElement>("[data-fields]")!;
  const rawBox = form.querySelector<HTMLElement>("[data-raw]")!;
  const modes = form.querySelector<HTMLFieldSetElement>("[data-modes]")!;
  const errors = form.querySelector<HTMLElement>("[data-errors]")!;
  const compiled = compileSchema(schema as object | boolean);
  let root: Field | undefined;
  let mode: "form" | "json" = "json";

  const showErrors = (lines: string[]) => {
    errors.replaceChildren();
    if (lines.length === 0) return;
    const title = document.createElement("p");
    title.textContent = "The input does not match the task's input schema:";
    const list = document.createElement("ul");
    for (const line of lines) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    errors.append(title, list);
    errors.className = "notice notice-error";
  };

  const useForm = (): boolean => {
    let value: unknown;
    try {
      value = JSON.parse(textarea.value || "{}");
    } catch (error) {
      showErrors([`The JSON does not parse, so the form cannot show it: ${(error as Error).message}`]);
      return false;
    }
    root = buildField(schema, { label: "Input", value, required: true, root: true });
    fieldsBox.replaceChildren(root.element);
    fieldsBox.hidden = false;
    rawBox.hidden = true;
    mode = "form";
    return true;
  };

  const useJson = () => {
    if (root) textarea.value = JSON.stringify(root.read() ?? {}, null, 2);
    fieldsBox.hidden = true;
    rawBox.hidden = false;
    mode = "json";
  };

  // A schema the form cannot lay out (not an object with properties) stays in raw-JSON mode.
  const formable = typeof schema === "object" && schema !== null && typeof schema.properties === "object";
  if (formable) {
    modes.hidden = false;
    if (!useForm()) (modes.querySelector<HTMLInputElement>("input[value=json]")!.checked = true);
  }
  modes.addEventListener("change", (event) => {
    const choice = (event.target as HTMLInputElement).value;
    if (choice === "json" && mode === "form") useJson();
    if (choice === "form" && mode === "json" && !useForm()) modes.querySelector<HTMLInputElement>("input[value=json]")!.checked = true;
  });

  form.addEventListener("submit", (event) => {
    if (mode === "form" && root) textarea.value = JSON.stringify(root.read() ?? {}, null, 2);
    let value: unknown;
    try {
      value = JSON.parse(textarea.value);
    } catch (error) {
      event.preventDefault();
      showErrors([`The input is not valid JSON: ${(error as Error).message}`]);
      return;
    }
    const issues = compiled.check(value);
    if (issues.length > 0) {
      event.preventDefault();
      showErrors(issues.map((issue) => `${issue.pointer || "(the input)"}: ${issue.message}`));
      return;
    }
    showErrors([]);
  });
}
