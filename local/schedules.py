"""Run the EventBridge schedules of ``infra/resources.py`` in the local stack.

moto stores the rules (``local/deploy.py`` creates them as the template does) but never fires
them, so a daemon thread invokes each schedule's function through the Lambda API, the way the
rule's target does, every ``LOCAL_SCHEDULE_SECONDS`` (default 1: locally "every minute" would
only slow the tests down).
"""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger("birthreg.local")


class Scheduler:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.interval = float(os.environ.get("LOCAL_SCHEDULE_SECONDS", "1"))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-schedules", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        import boto3

        from infra import resources

        client = boto3.client("lambda")
        while not self._stop.wait(self.interval):
            for schedule in resources.SCHEDULES:
                try:
                    client.invoke(FunctionName=self.names[schedule.function], Payload=b"{}")
                except Exception:  # the next tick tries again, as EventBridge would
                    if not self._stop.is_set():
                        log.warning("schedule %s failed", schedule.id, exc_info=True)
