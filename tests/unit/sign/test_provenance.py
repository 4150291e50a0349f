"""SLSA Provenance v1 predicates from GitHub Actions and GitLab CI variables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hullguard.errors import UsageError
from hullguard.sign.provenance import build_provenance, image_dependency

NOW = datetime(2026, 11, 28, 8, 0, 0, tzinfo=UTC)
GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/app",
    "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567",
    "GITHUB_REF": "refs/heads/main",
    "GITHUB_WORKFLOW_REF": "acme/app/.github/workflows/build.yml@refs/heads/main",
    "GITHUB_RUN_ID": "42",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_EVENT_NAME": "push",
    "RUNNER_ENVIRONMENT": "github-hosted",
}


def test_github_actions_predicate() -> None:
    base = image_dependency("docker.io/library/debian", "sha256:" + "d" * 64)
    started = datetime(2026, 11, 28, 7, 55, tzinfo=UTC)
    doc = build_provenance(GITHUB, NOW, [base], started_on=started)
    definition = doc["buildDefinition"]
    assert definition["buildType"] == "https://actions.github.io/buildtypes/workflow/v1"
    assert definition["externalParameters"]["workflow"] == {
        "ref": "refs/heads/main",
        "repository": "https://github.com/acme/app",
        "path": ".github/workflows/build.yml",
    }
    assert definition["resolvedDependencies"] == [
        {
            "uri": "git+https://github.com/acme/app@refs/heads/main",
            "digest": {"gitCommit": GITHUB["GITHUB_SHA"]},
        },
        {"uri": "oci://docker.io/library/debian", "digest": {"sha256": "d" * 64}},
    ]
    assert doc["runDetails"] == {
        "builder": {"id": "https://github.com/actions/runner/github-hosted"},
        "metadata": {
            "invocationId": "https://github.com/acme/app/actions/runs/42/attempts/2",
            "startedOn": "2026-11-28T07:55:00Z",
            "finishedOn": "2026-11-28T08:00:00Z",
        },
    }


def test_gitlab_ci_predicate() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_SERVER_URL": "https://gitlab.example",
        "CI_PROJECT_PATH": "grp/app",
        "CI_COMMIT_SHA": "f" * 40,
        "CI_COMMIT_REF_NAME": "main",
        "CI_PIPELINE_ID": "7",
        "CI_JOB_ID": "99",
        "CI_JOB_URL": "https://gitlab.example/grp/app/-/jobs/99",
        "CI_RUNNER_ID": "5",
        "CI_JOB_STARTED_AT": "2026-11-28T07:50:00Z",
    }
    doc = build_provenance(env, NOW)
    assert doc["runDetails"]["builder"]["id"] == "https://gitlab.example/grp/app/-/runners/5"
    assert doc["runDetails"]["metadata"]["startedOn"] == "2026-11-28T07:50:00Z"
    assert doc["buildDefinition"]["externalParameters"]["workflow"]["path"] == ".gitlab-ci.yml"


def test_outside_ci_or_missing_variables_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no supported CI environment"):
        build_provenance({}, NOW)
    with pytest.raises(UsageError, match="GITHUB_SHA"):
        build_provenance({k: v for k, v in GITHUB.items() if k != "GITHUB_SHA"}, NOW)
