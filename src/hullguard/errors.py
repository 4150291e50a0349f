"""The one exception hierarchy.

Every error a user can see derives from :class:`HullguardError` and carries a
message that says what went wrong and what to do next. The CLI catches only the
base class; anything else reaching the user is a bug.
"""

from __future__ import annotations


class HullguardError(Exception):
    """Base of every error hullguard raises on purpose."""

    #: process exit code the CLI uses for this family (3 = operational error)
    exit_code: int = 3

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def diagnostics(self) -> str:
        """One line: the problem, then the next step when one is known."""
        text = " ".join(self.message.split())
        if self.hint:
            text = f"{text} ({' '.join(self.hint.split())})"
        return text


class UsageError(HullguardError):
    """The user asked for something that cannot work as written."""

    exit_code = 2


class SourceError(HullguardError):
    """An image could not be located or read from its source."""


class ReferenceError_(UsageError):
    """An image reference does not parse."""


class RegistryError(SourceError):
    """A registry refused, failed, or returned something wrong."""


class AuthError(RegistryError):
    """Credentials were missing or rejected."""


class DigestMismatch(SourceError):
    """Content did not match the digest that names it."""


class MalformedImage(SourceError):
    """A manifest, config, index or layer is not what the spec says."""


class UnsafeImage(SourceError):
    """The image contains something hostile (path traversal, link escape, ...)."""


class LimitExceeded(SourceError):
    """A size, count or ratio limit was reached while reading untrusted input."""


class CacheError(HullguardError):
    """The analysis cache could not be read or written."""


class DatabaseError(HullguardError):
    """The vulnerability or inventory database is missing, corrupt or stale."""


class VerificationError(HullguardError):
    """A signature, attestation or policy check failed (fails closed)."""

    exit_code = 1


class AuditError(HullguardError):
    """``hullguard audit`` could not read or understand its input."""


class AuditInputError(AuditError):
    """An audit input is unreadable, binary, broken YAML or not a manifest."""


class SigningError(HullguardError):
    """A key could not be created, read or used, or a signature could not be stored."""


class KeyFormatError(SigningError):
    """A key file is not in a format hullguard reads, or its password is wrong."""

    exit_code = 2


class PolicyError(UsageError):
    """A verification policy file is malformed or empty."""
