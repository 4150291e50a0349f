"""The rule gate compiled in the parent after the fork: same findings as scanning at once.

A worker holds the files it is given until the gate arrives, then scans them;
``export`` (end of a layer) waits for it. These tests play the worker and the
parent in one process, with the real channel.
"""

from __future__ import annotations

import threading
import time

import pytest

from hullguard.model.image import FileRecord, FileType, Layer
from hullguard.scan import image_secrets
from hullguard.scan.image_secrets import LayerSecretCollector
from hullguard.secrets.gate import RuleGate
from hullguard.secrets.scanner import SecretScanner

from .secret_fakes import ALNUM, fake

LAYER = Layer(index=0, descriptor=None, diff_id="sha256:" + "0" * 64)  # type: ignore[arg-type]


def _files() -> list[tuple[FileRecord, bytes]]:
    key = "AKIA" + fake("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, "deferred")
    secret = fake(ALNUM + "/+", 40, "deferred-secret")
    texts = {
        "/app/.env": f"AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n",
        "/app/readme.txt": "nothing to see here, token talk only\n",
        "/app/config.py": f'api_key = "{fake(ALNUM, 32, "cfg")}"\n',
        "/etc/hosts": "127.0.0.1 localhost\n",
    }
    return [
        (FileRecord(path, FileType.FILE, len(body), 0o644, 0), body.encode())
        for path, body in texts.items()
    ]


def _scan_at_once() -> tuple[list[object], int, int]:
    collector = LayerSecretCollector(SecretScanner())
    for record, data in _files():
        collector.visit(LAYER, record, data)
    return collector.export(0)  # type: ignore[return-value]


def _send(worker: LayerSecretCollector, state: object) -> None:
    """Play the parent: send the gate (and let the test process exit if it is not read)."""
    worker._channel.cancel_join_thread()
    worker._channel.put(state)


def _parent_state() -> object:
    gate = SecretScanner().build_gate()
    assert gate is not None
    return gate.dump()


def test_files_wait_for_the_gate_then_give_the_same_findings() -> None:
    worker = LayerSecretCollector(SecretScanner())
    worker.before_fork()
    files = _files()
    for record, data in files[:2]:
        worker.visit(LAYER, record, data)
    assert worker.files_scanned == 0 and len(worker._pending) == 2  # held: no gate yet
    _send(worker, _parent_state())
    deadline = time.monotonic() + 10
    while worker._channel.empty() and time.monotonic() < deadline:
        time.sleep(0.01)  # the queue's feeder thread writes it to the pipe
    for record, data in files[2:]:
        worker.visit(LAYER, record, data)
    assert not worker._pending and not worker._waiting  # all four scanned on its arrival
    found = worker.export(0)
    expected = _scan_at_once()
    assert found == expected
    assert found[0], "the fake AWS key pair is found"


def test_the_end_of_a_layer_waits_for_the_gate() -> None:
    worker = LayerSecretCollector(SecretScanner())
    worker.before_fork()
    for record, data in _files():
        worker.visit(LAYER, record, data)
    state = _parent_state()
    sender = threading.Timer(0.3, lambda: _send(worker, state))
    sender.start()
    started = time.monotonic()
    found = worker.export(0)
    assert time.monotonic() - started >= 0.2
    assert found == _scan_at_once()


def test_too_much_held_text_waits_for_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_secrets, "PENDING_BYTES", 10)
    worker = LayerSecretCollector(SecretScanner())
    worker.before_fork()
    state = _parent_state()
    threading.Timer(0.2, lambda: _send(worker, state)).start()
    record, data = _files()[0]
    worker.visit(LAYER, record, data)  # over the cap: blocks until the gate comes
    assert worker.files_scanned == 1 and not worker._pending


def test_a_gate_that_never_comes_is_built_in_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_secrets, "GATE_WAIT_SECONDS", 0.1)
    worker = LayerSecretCollector(SecretScanner())
    worker.before_fork()
    for record, data in _files():
        worker.visit(LAYER, record, data)
    assert worker.export(0) == _scan_at_once()
    assert worker.scanner.has_gate()


def test_the_parent_sends_one_gate_per_worker() -> None:
    parent = LayerSecretCollector(SecretScanner())
    parent.before_fork()
    parent.after_fork(3)
    assert not parent._waiting and parent.scanner.has_gate()
    states = [parent._channel.get(timeout=5) for _ in range(3)]
    assert parent._channel.empty()
    data = b"token = '" + fake(ALNUM, 30, "x").encode() + b"'\nsecret: nothing\n"
    rules = parent.scanner.rules
    built = RuleGate(rules)
    for state in states:
        assert RuleGate.load(state).passed(data) == built.passed(data)  # type: ignore[arg-type]


def test_a_scanner_with_its_gate_built_defers_nothing() -> None:
    scanner = SecretScanner()
    scanner.build_gate()
    collector = LayerSecretCollector(scanner)
    collector.before_fork()
    assert collector._channel is None and not collector._waiting
