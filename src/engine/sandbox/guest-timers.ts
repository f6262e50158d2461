/**
 * Guest source (a prelude part; `bridge.timer` tells the host a timer is queued,
 * `shared.hostRequest` asks the host to wait, `shared.report` writes an uncaught error to the
 * console): queueMicrotask, setTimeout and setInterval. Timers run, in order of when they are
 * due, once the microtasks are done and the task has nothing else to run, as in a browser. A
 * timer not yet due makes the run wait for it: the wait is a request to the host like a fetch
 * (on the sync build the run stops and is repeated once the time has passed; see replay.ts),
 * so it holds no sandbox, counts against the wall-clock limit and not the CPU budget.
 * `runTimer` is what the host calls when nothing else is left to run.
 */
export const GUEST_TIMERS_SOURCE = String.raw`
  var hostTimer = bridge.timer, hostRequest = shared.hostRequest, report = shared.report;
  define("queueMicrotask", function queueMicrotask(callback) {
    if (typeof callback !== "function") throw new TypeError("queueMicrotask: the callback must be a function");
    Promise.resolve().then(function () {
      try { callback(); } catch (error) { report(error); }
    });
  });

  var timers = [], nextTimerId = 1;
  function addTimer(name, callback, delay, args, repeat) {
    if (typeof callback !== "function") throw new TypeError(name + ": the callback must be a function (code strings are not run)");
    var ms = Math.max(0, Number(delay) || 0);
    var timer = { id: nextTimerId++, callback: callback, args: Array.prototype.slice.call(args, 2), due: Date.now() + ms, interval: repeat ? ms : -1 };
    timers.push(timer);
    hostTimer();
    return timer.id;
  }
  function clearTimer(id) {
    timers = timers.filter(function (timer) { return timer.id !== id; });
  }
  define("setTimeout", function setTimeout(callback, delay) { return addTimer("setTimeout", callback, delay, arguments, false); });
  define("setInterval", function setInterval(callback, delay) { return addTimer("setInterval", callback, delay, arguments, true); });
  define("clearTimeout", function clearTimeout(id) { clearTimer(id); });
  define("clearInterval", function clearInterval(id) { clearTimer(id); });

  // Runs the timer due first (the earliest set among equals), waiting until it is due; false when none is left.
  function runTimer() {
    if (timers.length === 0) return false;
    var timer = timers[0];
    for (var i = 1; i < timers.length; i++) if (timers[i].due < timer.due) timer = timers[i];
    var wait = timer.due - Date.now();
    if (wait > 0) hostRequest({ waitMs: wait });
    timers.splice(timers.indexOf(timer), 1);
    // Queued again before it runs, so that clearInterval in its own callback stops it.
    if (timer.interval >= 0) {
      timer.due = Date.now() + timer.interval;
      timers.push(timer);
    }
    try { timer.callback.apply(undefined, timer.args); } catch (error) { report(error); }
    return true;
  }
`;
