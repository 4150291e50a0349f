"""Sans-I/O parts of the job queue: REGISTRY[/REPO] targets, URL redaction, listing order."""

from __future__ import annotations

import pytest

from hullguard.errors import UsageError
from hullguard.jobs.interface import QueueStats, redact_url
from hullguard.jobs.listing import RegistryTarget, parse_target, registry_references


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("registry.example.com:5000", RegistryTarget("registry.example.com:5000", None)),
        ("127.0.0.1:5000/team/app/", RegistryTarget("127.0.0.1:5000", "team/app")),
        ("ghcr.io/org/deep/repo", RegistryTarget("ghcr.io", "org/deep/repo")),
    ],
)
def test_parse_target(text: str, expected: RegistryTarget) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("https://registry.example.com", "not a URL"),
        ("registry.example.com/team/app:1.0", "names a tag or digest"),
        ("/team/app", "missing registry host"),
    ],
)
def test_parse_target_rejects(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_target(text)


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("postgresql://bob:s3cret@db:5432/hg") == "postgresql://bob:***@db:5432/hg"
    assert redact_url("postgresql://bob@db/hg") == "postgresql://bob@db/hg"
    assert redact_url("postgresql:///hg?host=/run") == "postgresql:///hg?host=/run"


class FakeClient:
    """Stands in for RegistryClient's two listing calls (a unit seam)."""

    def catalog(self, *, page_size: int | None = None) -> list[str]:
        return ["b/repo", "a/repo", "empty"]

    def list_tags(self, repository: str, *, page_size: int | None = None) -> list[str]:
        return {"a/repo": ["2", "1"], "b/repo": ["latest"]}.get(repository, [])


def test_registry_references_cover_every_tag_sorted() -> None:
    seen: list[tuple[str, int]] = []
    refs = registry_references(
        FakeClient(),  # type: ignore[arg-type]
        RegistryTarget("reg:5000", None),
        on_repository=lambda repo, n: seen.append((repo, n)),
    )
    assert refs == ["reg:5000/a/repo:1", "reg:5000/a/repo:2", "reg:5000/b/repo:latest"]
    assert seen == [("b/repo", 1), ("a/repo", 2), ("empty", 0)]
    one = registry_references(FakeClient(), RegistryTarget("reg:5000", "b/repo"))  # type: ignore[arg-type]
    assert one == ["reg:5000/b/repo:latest"]


def test_queue_stats_pending() -> None:
    assert QueueStats(queued=2, running=1, done=5).pending == 3
