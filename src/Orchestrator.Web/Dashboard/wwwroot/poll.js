// Live pages: call `tick` every `ms` while the tab is visible, never two at a time, and stop when told. A failed tick
// is shown by the page and retried on the next interval, so a restarting server heals without a reload.
export function poll(tick, ms = 2000) {
  let timer = null;
  let stopped = false;
  let running = false;

  async function run() {
    timer = null;
    if (stopped || running || document.visibilityState !== 'visible') return;
    running = true;
    try {
      await tick();
    } catch (e) {
      console.warn('poll', e);
    } finally {
      running = false;
      schedule();
    }
  }

  function schedule() {
    if (!stopped && timer === null && document.visibilityState === 'visible') timer = setTimeout(run, ms);
  }

  function onVisibility() {
    if (document.visibilityState === 'visible') { clearTimeout(timer); timer = null; run(); }
  }

  document.addEventListener('visibilitychange', onVisibility);
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    },
    now() { clearTimeout(timer); timer = null; return run(); },
  };
}
