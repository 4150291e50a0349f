"""The audit rule catalog: stable ids, severities, PSS mapping and doc anchors.

Ids are stable: ``AU1xx`` are Pod Security Standards *baseline* controls,
``AU2xx`` the extra *restricted* controls, ``AU3xx`` hullguard's own hardening
rules. Each rule has a section in ``docs/audit.md`` whose anchor is
:attr:`Rule.anchor`.
"""

from __future__ import annotations

from hullguard.audit.interface import Profile, Rule, RuleId, Severity

B = Profile.BASELINE
R = Profile.RESTRICTED
S = Severity

_CATALOG: tuple[Rule, ...] = (
    # --- PSS baseline ---------------------------------------------------------
    Rule(
        RuleId("AU101"),
        "host-process",
        S.CRITICAL,
        "Windows HostProcess container",
        "do not set securityContext.windowsOptions.hostProcess: true",
        "HostProcess",
        B,
        True,
    ),
    Rule(
        RuleId("AU102"),
        "host-namespaces",
        S.HIGH,
        "Host namespace shared",
        "do not share the host network, PID or IPC namespace",
        "Host Namespaces",
        B,
        True,
    ),
    Rule(
        RuleId("AU103"),
        "privileged",
        S.CRITICAL,
        "Privileged container",
        "remove privileged mode; grant only the capabilities the process needs",
        "Privileged Containers",
        B,
        True,
    ),
    Rule(
        RuleId("AU104"),
        "capabilities-baseline",
        S.HIGH,
        "Capability beyond the default set",
        "add no capability outside Docker's default set (never SYS_ADMIN, NET_ADMIN, NET_RAW…)",
        "Capabilities",
        B,
        True,
    ),
    Rule(
        RuleId("AU105"),
        "host-path",
        S.HIGH,
        "Host path mounted",
        "replace the hostPath / bind mount with a volume (emptyDir, PVC, configMap…)",
        "HostPath Volumes",
        B,
        False,
    ),
    Rule(
        RuleId("AU106"),
        "host-ports",
        S.MEDIUM,
        "Host port bound",
        "remove hostPort; expose the container through a Service",
        "Host Ports",
        B,
        True,
    ),
    Rule(
        RuleId("AU107"),
        "host-probes",
        S.MEDIUM,
        "Probe or lifecycle hook targets another host",
        "remove the host field from probes and lifecycle hooks",
        "Host Probes / Lifecycle Hooks",
        B,
        True,
    ),
    Rule(
        RuleId("AU108"),
        "apparmor",
        S.HIGH,
        "AppArmor disabled or overridden",
        "use the RuntimeDefault (or a Localhost) AppArmor profile, never Unconfined",
        "AppArmor",
        B,
        True,
    ),
    Rule(
        RuleId("AU109"),
        "selinux",
        S.MEDIUM,
        "Custom SELinux options",
        "do not set SELinux user/role; type only container_t, container_init_t, "
        "container_kvm_t or container_engine_t",
        "SELinux",
        B,
        True,
    ),
    Rule(
        RuleId("AU110"),
        "proc-mount",
        S.HIGH,
        "/proc mounted unmasked",
        "keep the default /proc masks (procMount: Default)",
        "/proc Mount Type",
        B,
        True,
    ),
    Rule(
        RuleId("AU111"),
        "seccomp-unconfined",
        S.HIGH,
        "Seccomp disabled",
        "use the RuntimeDefault (or a Localhost) seccomp profile, never Unconfined",
        "Seccomp",
        B,
        True,
    ),
    Rule(
        RuleId("AU112"),
        "sysctls",
        S.MEDIUM,
        "Unsafe sysctl",
        "set only the namespaced safe sysctls",
        "Sysctls",
        B,
        True,
    ),
    # --- PSS restricted -------------------------------------------------------
    Rule(
        RuleId("AU201"),
        "volume-types",
        S.MEDIUM,
        "Volume type outside the restricted set",
        "use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, "
        "projected or secret volumes",
        "Volume Types",
        R,
        False,
    ),
    Rule(
        RuleId("AU202"),
        "privilege-escalation",
        S.MEDIUM,
        "Privilege escalation allowed",
        "set allowPrivilegeEscalation: false (no-new-privileges)",
        "Privilege Escalation",
        R,
        True,
    ),
    Rule(
        RuleId("AU203"),
        "run-as-non-root",
        S.MEDIUM,
        "Not required to run as non-root",
        "set runAsNonRoot: true (or a non-root user)",
        "Running as Non-root",
        R,
        True,
    ),
    Rule(
        RuleId("AU204"),
        "run-as-root-user",
        S.HIGH,
        "Runs as UID 0",
        "run as a non-zero UID",
        "Running as Non-root user",
        R,
        True,
    ),
    Rule(
        RuleId("AU205"),
        "seccomp-required",
        S.MEDIUM,
        "No seccomp profile",
        "set seccompProfile.type: RuntimeDefault (or Localhost)",
        "Seccomp",
        R,
        True,
    ),
    Rule(
        RuleId("AU206"),
        "capabilities-restricted",
        S.MEDIUM,
        "Capabilities not dropped",
        "drop ALL capabilities and add back at most NET_BIND_SERVICE",
        "Capabilities",
        R,
        True,
    ),
    # --- hullguard hardening --------------------------------------------------
    Rule(
        RuleId("AU301"),
        "read-only-root-fs",
        S.MEDIUM,
        "Writable root filesystem",
        "make the root filesystem read-only; mount emptyDir/tmpfs where writes are needed",
        fixable=True,
    ),
    Rule(
        RuleId("AU302"),
        "memory-limit",
        S.MEDIUM,
        "No memory limit",
        "set a memory limit",
        fixable=True,
    ),
    Rule(RuleId("AU303"), "cpu-limit", S.LOW, "No CPU limit", "set a CPU limit", fixable=True),
    Rule(
        RuleId("AU304"),
        "resource-requests",
        S.LOW,
        "No resource requests (BestEffort)",
        "set CPU and memory requests so the scheduler can place the pod",
        fixable=True,
    ),
    Rule(
        RuleId("AU305"),
        "runtime-socket",
        S.CRITICAL,
        "Container runtime socket mounted",
        "never mount the Docker, containerd or CRI-O socket (or its directory): it is root "
        "on the node",
    ),
    Rule(
        RuleId("AU306"),
        "image-digest",
        S.LOW,
        "Image not pinned by digest",
        "pin the image as name:tag@sha256:<digest>",
    ),
    Rule(
        RuleId("AU307"),
        "image-latest",
        S.MEDIUM,
        "Image uses latest or no tag",
        "use an explicit version tag (and a digest)",
    ),
    Rule(
        RuleId("AU308"),
        "automount-token",
        S.LOW,
        "Service account token mounted",
        "set automountServiceAccountToken: false unless the pod calls the Kubernetes API",
    ),
    Rule(
        RuleId("AU309"),
        "host-aliases",
        S.INFO,
        "hostAliases rewrite /etc/hosts",
        "prefer DNS over hostAliases; entries there bypass name resolution policy",
    ),
    Rule(
        RuleId("AU310"),
        "pids-limit",
        S.LOW,
        "No PID limit",
        "set a PID limit (pids_limit / --pids-limit) against fork bombs",
        fixable=True,
    ),
    Rule(
        RuleId("AU311"),
        "host-devices",
        S.HIGH,
        "Host device exposed",
        "do not pass host devices into the container",
    ),
)

#: every rule by id
RULES: dict[RuleId, Rule] = {r.id: r for r in _CATALOG}


def rule(rule_id: str) -> Rule:
    """The rule with this id (ids are module constants, so a miss is a bug)."""
    return RULES[RuleId(rule_id)]
