interface Preview {
  ok: boolean;
  description?: string;
  next_runs?: { iso: string; local: string }[];
  message?: string;
}

/** Renders a preview the way the server's PreviewView does. */
function render(target: HTMLElement, preview: Preview): void {
  target.replaceChildren();
  if (!preview.ok) {
    const p = document.createElement("p");
    p.className = "notice notice-error";
    p.textContent = preview.message ?? "Invalid";
    target.append(p);
    return;
  }
  const description = document.createElement("p");
  const strong = document.createElement("strong");
  strong.textContent = preview.description ?? "";
  description.append(strong);
  const label = document.createElement("p");
  label.className = "muted small";
  label.textContent = "Next five runs:";
  const list = document.createElement("ol");
  list.className = "next-runs";
  for (const run of preview.next_runs ?? []) {
    const item = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = run.iso;
    time.textContent = run.local;
    item.append(time);
    list.append(item);
  }
  target.append(description, label, list);
}

/** Explains the cron expression and lists its next five runs in the chosen zone as it is typed (the server's checkCron and cronstrue answer). */
export function startCronPreview(form: HTMLFormElement): void {
  const cron = form.querySelector<HTMLInputElement>("[name=cron]")!;
  const zone = form.querySelector<HTMLInputElement>("[name=timezone]")!;
  const target = form.querySelector<HTMLElement>("[data-cron-preview]")!;
  if (zone.dataset.defaultZone === "browser") zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const update = async () => {
    if (cron.value.trim() === "") return;
    const mine = ++asked;
    const query = new URLSearchParams({ cron: cron.value, timezone: zone.value || "UTC" });
    const response = await fetch(`/schedules/preview?${query}`, { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok || mine !== asked) return;
    render(target, (await response.json()) as Preview);
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update(), 250);
  };
  cron.addEventListener("input", soon);
  zone.addEventListener("change", soon);
  zone.addEventListener("input", soon);
  if (cron.value.trim() !== "") soon();
}
