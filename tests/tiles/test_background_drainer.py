"""The drainer thread (tiles.maintenance.BackgroundDrainer): callbacks run after a drain, once
per callback with every item queued since the previous drain, in order; flush waits for them;
a failing callback does not stop the others."""
import threading

from tiles import maintenance
from tiles.maintenance import BackgroundDrainer


def test_callbacks_run_after_the_drain_with_their_items_in_order(monkeypatch):
    steps: list = []
    gate = threading.Event()

    def drain() -> None:
        gate.wait(5)  # hold the first drain until everything below is queued
        steps.append("drain")

    monkeypatch.setattr(maintenance, "_safe_drain", drain)
    drainer = BackgroundDrainer()

    def publish(items):
        steps.append(("publish", list(items)))

    def notify(items):
        steps.append(("notify", list(items)))

    drainer.then(publish, 1)
    drainer.then(notify, "a")
    drainer.then(publish, 2)
    drainer.then(publish, 3)
    gate.set()
    assert drainer.flush(5)
    # The first drain may have taken only the first item; every callback call follows a
    # drain, and each item is handed over exactly once, in the order it was queued.
    assert steps[0] == "drain"
    published = [i for step in steps if step[0] == "publish" for i in step[1]]
    assert published == [1, 2, 3] and [("notify", ["a"])] == [s for s in steps if s[0] == "notify"]
    for index, step in enumerate(steps):
        if step != "drain":
            assert "drain" in steps[:index]


def test_a_failing_callback_does_not_stop_the_others(monkeypatch, caplog):
    monkeypatch.setattr(maintenance, "_safe_drain", lambda: None)
    drainer = BackgroundDrainer()
    seen = []

    def broken(items):
        raise RuntimeError("broker down")

    drainer.then(broken, 1)
    drainer.then(seen.extend, 2)
    assert drainer.flush(5)
    drainer.then(seen.extend, 3)
    assert drainer.flush(5)
    assert seen == [2, 3]
    assert "callback after tile drain failed" in caplog.text
