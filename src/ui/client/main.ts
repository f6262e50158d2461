/**
 * The dashboard's browser script: small enhancements of server-rendered pages, each started by
 * the data attribute of the element it works on. Every page works without it (the run form falls
 * back to raw JSON, the history to reloading).
 */
import { startCronPreview } from "./cron-preview.ts";
import { startHistoryPolling } from "./history-poll.ts";
import { startRunForm } from "./run-form.ts";

function start(): void {
  document.querySelectorAll<HTMLFormElement>("form[data-run-form]").forEach(startRunForm);
  document.querySelectorAll<HTMLElement>("[data-poll]").forEach(startHistoryPolling);
  document.querySelectorAll<HTMLFormElement>("form[data-cron-form]").forEach(startCronPreview);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
