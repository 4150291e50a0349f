"""Base age: which ``created`` is used (base annotations, else the image's own), the
policy's verdict on it, and the ``unscanned`` setting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hullguard.errors import PolicyError, SourceError
from hullguard.policy import GateInputs, evaluate_gate, parse_gate_policy
from hullguard.policy.base_age import BASE_DIGEST, BASE_NAME, base_age, parse_created
from hullguard.policy.model import Action, BaseAge, Verdict

DIGEST = "sha256:" + "b" * 64
ANNOTATIONS = {BASE_NAME: "docker.io/library/debian:12", BASE_DIGEST: DIGEST}


def test_parse_created_accepts_nanoseconds_and_zones() -> None:
    assert parse_created("2020-01-01T00:00:00.123456789Z") == dt.datetime(
        2020, 1, 1, 0, 0, 0, 123456, tzinfo=dt.UTC
    )
    assert parse_created("2024-05-06T07:08:09+02:00") == dt.datetime(
        2024, 5, 6, 5, 8, 9, tzinfo=dt.UTC
    )
    assert parse_created("") is None and parse_created("yesterday") is None


def test_base_annotations_win_and_name_the_base() -> None:
    asked: list[str] = []

    def fetch(ref: str) -> str:
        asked.append(ref)
        return "2019-03-04T00:00:00Z"

    age = base_age(ANNOTATIONS, "2026-11-01T00:00:00Z", fetch)
    assert asked == [f"docker.io/library/debian@{DIGEST}"]
    assert age == BaseAge(dt.datetime(2019, 3, 4, tzinfo=dt.UTC), f"base image {asked[0]}")


def test_unreadable_or_missing_base_falls_back_to_the_image_and_says_so() -> None:
    def down(ref: str) -> str:
        raise SourceError("registry unreachable")

    age = base_age(ANNOTATIONS, "2026-11-01T00:00:00Z", down)
    assert age.source == "image config" and "unreachable" in age.note
    assert age.created == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    half = base_age({BASE_NAME: "debian:12"}, "", down)
    assert half.note == "incomplete base annotations" and half.created is None
    plain = base_age({}, "2026-11-01T00:00:00Z", down)
    assert plain.source == "image config (no base annotations)" and plain.note == ""


def _decide(age: BaseAge | None) -> tuple[Verdict, list[str], tuple[str, ...]]:
    policy = parse_gate_policy({"images": {"maxBaseAgeDays": 30, "action": "review"}}, Path())
    inputs = GateInputs(image="x", today=dt.date(2026, 11, 28), base_age=age)
    decision = evaluate_gate(policy, inputs)
    return decision.verdict, [r.message for r in decision.reasons], decision.skipped


def test_age_limit_is_inclusive_and_unknown_is_judged() -> None:
    at = dt.datetime(2026, 10, 29, tzinfo=dt.UTC)  # exactly 30 days
    verdict, messages, _ = _decide(BaseAge(at, "image config"))
    assert verdict is Verdict.ALLOW and "30 days ago" in messages[0]
    verdict, messages, _ = _decide(BaseAge(at - dt.timedelta(days=1), "base image b@x"))
    assert verdict is Verdict.REVIEW and "31 days old (limit 30)" in messages[0]
    verdict, messages, _ = _decide(BaseAge(None, "image config"))
    assert verdict is Verdict.REVIEW and "age unknown" in messages[0]
    assert _decide(None)[2] == ("images.maxBaseAgeDays",)


def test_unscanned_setting_and_schema() -> None:
    section = {"secrets": {"action": "block"}}
    assert parse_gate_policy(section, Path()).unscanned is Action.REVIEW
    assert parse_gate_policy({**section, "unscanned": "allow"}, Path()).unscanned is Action.LOG
    with pytest.raises(PolicyError, match="unscanned"):
        parse_gate_policy({**section, "unscanned": "maybe"}, Path())
    with pytest.raises(PolicyError, match="maxBaseAgeDays"):
        parse_gate_policy({"images": {"maxBaseAgeDays": -1}}, Path())
