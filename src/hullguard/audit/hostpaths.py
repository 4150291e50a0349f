"""Host paths and image references that matter for runtime hardening.

Shared by the Kubernetes, compose and ``docker run`` auditors: which host paths
expose a container runtime socket, and whether an image reference is pinned.
"""

from __future__ import annotations

import posixpath

#: container runtime API sockets: whoever can reach one is root on the host
RUNTIME_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
    "/var/run/podman/podman.sock",
    "/run/podman/podman.sock",
)

#: host paths whose bind mount gives a container control over the node
SENSITIVE_HOST_PATHS = (
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/log",
    "/usr",
    "/lib",
    "/bin",
    "/sbin",
    "/run",
    "/var/run",
)


def normalize_host_path(path: str) -> str:
    """Lexically normalised absolute path (``/var//run/../run/`` -> ``/var/run``)."""
    norm = posixpath.normpath(path.strip())
    return "/" if norm in ("/", "//") else norm


def runtime_socket(path: str) -> str | None:
    """The runtime socket a host path exposes (itself or a parent directory of it)."""
    if not path.startswith("/"):
        return None
    norm = normalize_host_path(path)
    for sock in RUNTIME_SOCKETS:
        if sock == norm or sock.startswith(norm.rstrip("/") + "/"):
            return sock
    return None


def sensitive_host_path(path: str) -> bool:
    """Whether mounting ``path`` from the host exposes the node itself."""
    if not path.startswith("/"):
        return False
    norm = normalize_host_path(path)
    return any(norm == p or (p != "/" and norm.startswith(p + "/")) for p in SENSITIVE_HOST_PATHS)


def split_image(image: str) -> tuple[str, str, str]:
    """``(name, tag, digest)`` of an image reference; tag/digest ``""`` when absent."""
    ref = image.strip()
    name, _, digest = ref.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        tag = last.rsplit(":", 1)[1]
        name = name[: -(len(tag) + 1)]
    return name, tag, digest


def image_problems(image: str) -> list[str]:
    """Rule ids that apply to an image reference: AU307 (latest/untagged), AU306 (no digest)."""
    if not image or "$" in image or "{{" in image:
        return []
    _, tag, digest = split_image(image)
    problems = []
    if not digest and tag in ("", "latest"):
        problems.append("AU307")
    if not digest.startswith("sha256:"):
        problems.append("AU306")
    return problems
