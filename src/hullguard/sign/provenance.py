"""SLSA Provenance v1 predicates from the CI environment (sans-I/O: env and time injected).

GitHub Actions follows the GitHub Actions workflow build type
(``https://actions.github.io/buildtypes/workflow/v1``); GitLab CI uses the
same shape with GitLab's variables. Resolved dependencies are the source
commit and the base image(s) by digest. The result is the predicate for
``hullguard attest --type slsaprovenance1``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from hullguard.errors import UsageError

SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"
GITHUB_BUILD_TYPE = "https://actions.github.io/buildtypes/workflow/v1"
GITLAB_BUILD_TYPE = "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/main/PROVENANCE.md"
GITHUB_HOSTED_BUILDER = "https://github.com/actions/runner/github-hosted"


class CiSystem(StrEnum):
    GITHUB_ACTIONS = "github-actions"
    GITLAB_CI = "gitlab-ci"


@dataclass(frozen=True)
class Dependency:
    """A resolved dependency: ``uri`` plus digests (``{"sha256": hex}``, ``{"gitCommit": sha}``)."""

    uri: str
    digest: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.uri, "digest": dict(sorted(self.digest.items()))}


def _need(env: Mapping[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not env.get(n)]
    if missing:
        raise UsageError(
            f"CI variables missing: {', '.join(missing)}",
            hint="run inside the CI job, or export them for a local test",
        )
    return [env[n] for n in names]


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _github(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], Dependency, str]:
    server, repo, sha, ref, workflow_ref, run_id = _need(
        env, "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_REF",
        "GITHUB_WORKFLOW_REF", "GITHUB_RUN_ID",
    )  # fmt: skip
    path = workflow_ref.split("@", 1)[0].removeprefix(f"{repo}/")
    external = {"workflow": {"ref": ref, "repository": f"{server}/{repo}", "path": path}}
    internal = {
        "github": {
            k: env[v]
            for k, v in (
                ("event_name", "GITHUB_EVENT_NAME"),
                ("repository_id", "GITHUB_REPOSITORY_ID"),
                ("repository_owner_id", "GITHUB_REPOSITORY_OWNER_ID"),
                ("runner_environment", "RUNNER_ENVIRONMENT"),
            )
            if env.get(v)
        }
    }
    attempt = env.get("GITHUB_RUN_ATTEMPT", "1")
    run = f"{server}/{repo}/actions/runs/{run_id}/attempts/{attempt}"
    source = Dependency(f"git+{server}/{repo}@{ref}", {"gitCommit": sha})
    builder = GITHUB_HOSTED_BUILDER
    if env.get("RUNNER_ENVIRONMENT") == "self-hosted":
        builder = f"{server}/{workflow_ref}"
    return external, internal, source, f"{builder}\n{run}"


def _gitlab(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any], Dependency, str]:
    server, project, sha, ref, _pipeline, job = _need(
        env, "CI_SERVER_URL", "CI_PROJECT_PATH", "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME",
        "CI_PIPELINE_ID", "CI_JOB_ID",
    )  # fmt: skip
    external = {
        "workflow": {
            "ref": ref,
            "repository": f"{server}/{project}",
            "path": env.get("CI_CONFIG_PATH", ".gitlab-ci.yml"),
        }
    }
    internal = {
        "gitlab": {
            k: env[v]
            for k, v in (("pipeline_source", "CI_PIPELINE_SOURCE"), ("runner_id", "CI_RUNNER_ID"))
            if env.get(v)
        }
    }
    source = Dependency(f"git+{server}/{project}@{ref}", {"gitCommit": sha})
    builder = f"{server}/{project}/-/runners/{env.get('CI_RUNNER_ID', 'unknown')}"
    run = env.get("CI_JOB_URL") or f"{server}/{project}/-/jobs/{job}"
    return external, internal, source, f"{builder}\n{run}"


_DETECT: dict[CiSystem, tuple[str, Callable[..., Any], str]] = {
    CiSystem.GITHUB_ACTIONS: ("GITHUB_ACTIONS", _github, GITHUB_BUILD_TYPE),
    CiSystem.GITLAB_CI: ("GITLAB_CI", _gitlab, GITLAB_BUILD_TYPE),
}


def detect_ci(env: Mapping[str, str]) -> CiSystem:
    for system, (marker, _, _) in _DETECT.items():
        if env.get(marker) == "true":
            return system
    raise UsageError(
        "no supported CI environment detected (GITHUB_ACTIONS or GITLAB_CI is not 'true')",
        hint="run hullguard provenance inside a GitHub Actions or GitLab CI job",
    )


def _started(env: Mapping[str, str], system: CiSystem, started_on: datetime | None) -> str | None:
    if started_on is not None:
        return _iso(started_on)
    if system is CiSystem.GITLAB_CI and env.get("CI_JOB_STARTED_AT"):
        return env["CI_JOB_STARTED_AT"]
    return None


def build_provenance(
    env: Mapping[str, str],
    now: datetime,
    dependencies: Sequence[Dependency] = (),
    *,
    started_on: datetime | None = None,
) -> dict[str, Any]:
    """The SLSA Provenance v1 predicate for the build running in ``env``."""
    system = detect_ci(env)
    _, extract, build_type = _DETECT[system]
    external, internal, source, ids = extract(env)
    builder, invocation = ids.split("\n", 1)
    metadata: dict[str, Any] = {"invocationId": invocation}
    started = _started(env, system, started_on)
    if started:
        metadata["startedOn"] = started
    metadata["finishedOn"] = _iso(now)
    resolved = [source, *sorted(dependencies, key=lambda d: d.uri)]
    return {
        "buildDefinition": {
            "buildType": build_type,
            "externalParameters": external,
            "internalParameters": internal,
            "resolvedDependencies": [d.to_dict() for d in resolved],
        },
        "runDetails": {"builder": {"id": builder}, "metadata": metadata},
    }


def image_dependency(name: str, digest: str) -> Dependency:
    """A base image as a resolved dependency: ``oci://host/repo`` and its manifest digest."""
    algorithm, _, hexdigest = digest.partition(":")
    return Dependency(f"oci://{name}", {algorithm: hexdigest})


def now_utc() -> datetime:
    return datetime.now(UTC)
