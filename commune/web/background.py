"""One app's background sender: a daemon thread that runs a sending pass in an app context when
woken (after a commit that queued something) or every `poll_seconds`, and survives a failing pass.
The notices' outbox (notices/worker.py) and the sync to the province (sync/worker.py) each run one
in the single waitress process; cron runs the same pass through their CLI when the thread is off."""
import logging
import threading

from ..extensions import db


class BackgroundSender:
    def __init__(self, app, send, name, poll_seconds=60):
        self.app = app
        self.send = send  # () -> {outcome: count}, the pass
        self.name = name
        self.poll_seconds = poll_seconds
        self.log = logging.getLogger(f"commune.{name}")
        self.wake = threading.Event()
        self.thread = None
        self._lock = threading.Lock()
        self._stopping = False
        self.passes = 0  # completed passes (tests wait on it)

    def start(self):
        with self._lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name=f"{self.name}-sender", daemon=True)
                self.thread.start()

    def poke(self):
        """Send soon: start the thread if needed and wake it."""
        if self._stopping:
            return
        self.start()
        self.wake.set()

    def stop(self, timeout=5):
        """Let the thread finish its pass and end (tests; the process exit ends it otherwise)."""
        self._stopping = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def _run(self):
        while not self._stopping:
            self.wake.wait(timeout=self.poll_seconds)
            self.wake.clear()
            if self._stopping:
                break
            with self.app.app_context():
                try:
                    outcomes = self.send()
                    if outcomes:
                        self.log.info("%s: %s", self.name, dict(outcomes))
                except Exception:  # noqa: BLE001 - the thread must survive a bad pass
                    self.log.exception("%s pass failed", self.name)
                    db.session.rollback()
                finally:
                    db.session.remove()
                    self.passes += 1
