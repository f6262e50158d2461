/**
 * Guest source (a prelude part; `bridge.timer` tells the host a timer is queued, `report`
 * writes an uncaught error to the console): queueMicrotask, and timers as far
 * as the engine can honour them. A run never waits (fetch is synchronous, and on the sync
 * build a run cannot pause), so setTimeout with no delay runs its callback once the microtasks
 * are done, as a browser would; a delay or setInterval throws an error that says what to do
 * instead. `runTimer` is what the host calls when nothing else is left to run.
 */
export const GUEST_TIMERS_SOURCE = String.raw`
  var hostTimer = bridge.timer, report = shared.report;
  define("queueMicrotask", function queueMicrotask(callback) {
    if (typeof callback !== "function") throw new TypeError("queueMicrotask: the callback must be a function");
    Promise.resolve().then(function () {
      try { callback(); } catch (error) { report(error); }
    });
  });

  var timers = [], nextTimerId = 1;
  define("setTimeout", function setTimeout(callback, delay) {
    if (typeof callback !== "function") throw new TypeError("setTimeout: the callback must be a function (code strings are not run)");
    var ms = Number(delay) || 0;
    if (ms > 0) {
      throw new Error("setTimeout(callback, " + ms + "): tasks cannot wait, because a run never pauses. fetch() is synchronous, so nothing needs waiting for: call the next step directly (retry a failed fetch in a loop). setTimeout(callback) or setTimeout(callback, 0) runs the callback once the current work is done, and queueMicrotask(callback) sooner.");
    }
    var id = nextTimerId++;
    timers.push({ id: id, callback: callback, args: Array.prototype.slice.call(arguments, 2) });
    hostTimer();
    return id;
  });
  define("clearTimeout", function clearTimeout(id) {
    timers = timers.filter(function (timer) { return timer.id !== id; });
  });
  define("setInterval", function setInterval() {
    throw new Error("setInterval: tasks cannot wait between calls, because a run never pauses. Use a loop; fetch() is synchronous.");
  });
  define("clearInterval", function clearInterval() {});

  // Runs the oldest queued timer; false when none is left.
  function runTimer() {
    var timer = timers.shift();
    if (timer === undefined) return false;
    try { timer.callback.apply(undefined, timer.args); } catch (error) { report(error); }
    return true;
  }
`;
