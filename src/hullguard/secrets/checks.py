"""Value checks applied after a rule's regex matched: entropy, shape, placeholders.

Also owns redaction and fingerprints, the only two ways a secret value leaves
the engine. Pure functions over strings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from hullguard.secrets.interface import Check


@dataclass(frozen=True)
class Candidate:
    """A regex hit under evaluation: the secret value, the whole match, its groups."""

    value: str
    match: str
    groups: dict[str, str | None]
    key: str = ""


def shannon_entropy(value: str) -> float:
    """Shannon entropy in bits per character (0.0 for the empty string)."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def redact(value: str) -> str:
    """First few characters and the length, never more than a sixth of the value."""
    core = value.strip()
    prefix = core[: min(4, len(core) // 6)]
    prefix = "".join(c if c.isprintable() else "?" for c in prefix)
    return f"{prefix}…[{len(value)} chars]"


def fingerprint(rule_id: str, path: str, value: bytes) -> str:
    """``sha256(rule_id NUL path NUL value)`` as hex: stable, usable in ignore files."""
    h = hashlib.sha256()
    h.update(rule_id.encode())
    h.update(b"\0")
    h.update(path.encode("utf-8", "surrogateescape"))
    h.update(b"\0")
    h.update(value)
    return h.hexdigest()


# --- documented example values -------------------------------------------------
# AWS publishes example credentials in its documentation; they are not live keys
# but have the exact shape of real ones. They are REPORTED (a Dockerfile copied
# from the docs still teaches the wrong thing, and planted-secret tests rely on
# them) with this note, unless the config sets ``allow_documented_examples``.
DOCUMENTED_EXAMPLE_NOTE = "documented example key (published in vendor docs, not a live secret)"
_DOCUMENTED_EXAMPLE = re.compile(
    r"^(?:(?:AKIA|ASIA)[A-Z2-7]{0,16}EXAMPLE|[A-Za-z0-9/+]{30}EXAMPLEKEY)$"
)


def is_documented_example(value: str) -> bool:
    """True for AWS's published example key ids and secret keys (``...EXAMPLE``)."""
    return bool(_DOCUMENTED_EXAMPLE.match(value))


# --- placeholders ----------------------------------------------------------------
_PLACEHOLDER_WORDS = re.compile(
    r"(?i)(?:x{4,}|\*{3,}|\.{3}|…|<[^>]*>|\[[^\]]*\]|\{\{|\$\{|\$\(|%\(|change_?me|changeit"
    r"|placeholder|redacted|your[_-]|my[_-]?(?:secret|token|password|pass|key)|dummy"
    r"|example|sample|replace|insert[_-]|enter[_-]|foobar)"
)
_PLACEHOLDER_EXACT = re.compile(
    r"(?i)^(?:pass(?:word|wd)?\d*|pwd|secret|token|test|testing|tests|admin|root|user(?:name)?"
    r"|guest|demo|default|none|null|nil|true|false|empty|undefined|string|value|foo|bar|baz"
    r"|qwerty|letmein|hunter2|abc\d*|1234\d*|0+|s3cr3t|p@ssw0rd|pa\$\$w0rd|mypass|mysecret"
    r"|(?-i:\$?[A-Z][A-Z_]*[A-Z])|\$\w+|%\w+%|@\w+@|:\w+)$"
)


def is_placeholder(value: str) -> bool:
    """Template variables, masks and stock example words rather than a real secret."""
    return bool(_PLACEHOLDER_EXACT.match(value) or _PLACEHOLDER_WORDS.search(value))


# --- per-rule checks -------------------------------------------------------------
_PEM_HEADER_LINE = re.compile(r"^[\w-]+:[^\n]*$", re.MULTILINE)
_NOT_B64 = re.compile(r"[^A-Za-z0-9+/=]")


def _pem_body(c: Candidate) -> bool:
    """The text between BEGIN/END is key material: long, base64, high entropy."""
    body = c.value.replace("\\n", "\n").replace("\\r", "\n")
    body = _PEM_HEADER_LINE.sub("", body)
    body = re.sub(r"[\s\"'+,]", "", body)
    if len(body) < 32:
        return False
    if len(_NOT_B64.sub("", body)) < 0.97 * len(body):
        return False
    return shannon_entropy(body) >= 4.0


def _b64decode(text: str) -> bytes | None:
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return None


def _jwt(c: Candidate) -> bool:
    """The first segment decodes to a JSON object with an ``alg`` header."""
    raw = _b64decode(c.value.split(".", 1)[0])
    if raw is None:
        return False
    try:
        header = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(header, dict) and isinstance(header.get("alg"), str)


def _mixed_case(c: Candidate) -> bool:
    v = c.value
    return any(ch.isupper() for ch in v) and any(ch.islower() for ch in v)


def _has_digit(c: Candidate) -> bool:
    return any(ch.isdigit() for ch in c.value)


_EXAMPLE_HOST = re.compile(
    r"(?i)(?:^|\.)(?:example\.(?:com|org|net)|example|invalid|test|localhost|host|hostname"
    r"|server|domain|proxy|(?:your|my)?(?:domain|company|server|host)\.(?:com|org|net)|somehost)$"
)
_EXAMPLE_USER = re.compile(
    r"(?i)^(?:user(?:name)?|usr|login|name|me|you|someone|somebody|foo|myuser|your[_-]?\w*"
    r"|john(?:doe)?|jdoe|alice|bob)$"
)


def _url_credentials(c: Candidate) -> bool:
    """``scheme://user:pass@host`` with a password that is neither a variable nor a stock word."""
    user = c.groups.get("user") or ""
    host = c.groups.get("host") or ""
    pw = c.value
    if pw == user or is_placeholder(pw) or _EXAMPLE_USER.match(user):
        return False
    if pw.startswith(("$", "%", "{")) or "${" in pw:
        return False
    return not _EXAMPLE_HOST.search(host.rstrip("."))


_CODE_VALUE = re.compile(
    r"^(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+|[A-Za-z_.-]+|\d+|/.*|\..*)$"
)
_NON_SECRET_KEY = re.compile(
    r"(?i)(?:pub(?:lic)?[_.-]?key|key[_.-]?(?:id|name|size|len(?:gth)?|file|path|type|alias"
    r"|usage|word|store|ring|code|board|event|press|map|fingerprint|server|url|uri|spec|format)"
    r"|token[_.-]?(?:type|url|uri|endpoint|file|path|len(?:gth)?|name|expir\w*|count|limit|id"
    r"|kind|class|pattern|regex|prefix|header|cache|store|source)"
    r"|secret[_.-]?(?:name|ref|key[_.-]?ref|len(?:gth)?|file|path|id|arn|store|type|version)"
    r"|pass(?:word|wd)?[_.-]?(?:field|file|path|len(?:gth)?|prompt|policy|hash(?:er)?|reset|input"
    r"|label|min|max|rules?|validators?|command|cmd|env|char|mask|expir\w*|changed?|help|text)"
    r"|csrf|xsrf|max[_.-]?tokens?|num[_.-]?tokens?|tokeni[sz]er|hash|digest|checksum|sha\d*|md5"
    r"|gpg[_.-]?keys?|signing[_.-]?key[_.-]?id|_ALT_|sort[_.-]?key|cache[_.-]?key|primary[_.-]?key"
    r"|foreign[_.-]?key|api[_.-]?version|token[_.-]?budget|auth(?:or|ority|ors)?[_.-]?(?:name|type|mode|method|url)"
    r"|(?:continuation|next|page|pagination|sync|cursor|marker|idempotency|request|csrf)[_.-]?token"
    r"|(?:encryption|algorithm|algo|scheme|method|encoding|format|style|strength|complexity|"
    r"store|manager|backend|provider|class|module)$)"
)


#: PascalCase / camelCase identifiers (``PKCS7PrivateKeyTypes``, ``defaultToConfig2``):
#: type annotations and code references. A random token almost never splits into
#: capitalised words this way.
_IDENTIFIER = re.compile(r"^[a-z]*(?:[A-Z][a-z]+|[A-Z]+(?![a-z])|\d+)+$")
_ID_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_VOWEL = re.compile(r"[aeiouy]")


def _looks_like_identifier(value: str) -> bool:
    """Few, word-like tokens: ``PKCS7PrivateKeyTypes`` yes, ``umWjrrglBgDotm8Bl...`` no."""
    if not _IDENTIFIER.match(value):
        return False
    tokens = _ID_TOKEN.findall(value)
    if len(tokens) > 7 or sum(map(len, tokens)) < 3 * len(tokens):
        return False
    return all(len(t) < 4 or t.isupper() or t.isdigit() or _VOWEL.search(t) for t in tokens)


def _generic_assignment(c: Candidate) -> bool:
    """A ``password = value`` hit whose key names a secret and whose value is not code."""
    if _NON_SECRET_KEY.search(c.key):
        return False
    v = c.value
    if _CODE_VALUE.match(v) or _looks_like_identifier(v) or is_placeholder(v):
        return False
    return not (v.count(".") >= 2 and re.fullmatch(r"[\w.-]+", v) and not _has_digit(c))


def _base64_user_pass(c: Candidate) -> bool:
    """A Docker ``auth`` value: base64 of ``user:password`` with a real password."""
    raw = _b64decode(c.value)
    if raw is None or b":" not in raw:
        return False
    user, _, pw = raw.partition(b":")
    text = pw.decode("utf-8", "replace")
    return bool(user) and len(text) >= 3 and not is_placeholder(text)


_ENV_NOT_SECRET = re.compile(
    r"(?i)(?:_(?:FILE|PATH|DIR|URL|URI|ID|NAME|USER|USERNAME|LEN(?:GTH)?|TTL|TYPE|HEADER|ENDPOINT"
    r"|HOST|PORT|POLICY|ENABLED?|DISABLED?|REQUIRED|MIN|MAX|VERSION|SHA\d*|CHECKSUM|FINGERPRINT"
    r"|KEYRING|KEYSERVER|SERVER|MODE|METHOD|REGION|EXPIR\w*)$|^GPG_KEYS?$|_GPG_KEYS?$|KEY_ID$"
    r"|^PATH$|^PWD$|^OLDPWD$)"
)
_ENV_PASSWORD = re.compile(r"(?i)(?:^|[_.-])(?:PASS(?:WORD|WD|PHRASE)?|PWD)(?:$|[_.-])")
_ENV_SECRET = re.compile(
    r"(?i)(?:^|[_.-])(?:SECRET|TOKEN|API_?KEY|ACCESS_?KEY|SECRET_?KEY|PRIVATE_?KEY|AUTH"
    r"|AUTH_?TOKEN|CREDENTIALS?|KEY|LICENSE_?KEY)(?:$|[_.-])"
)


def _env_name(pattern: re.Pattern[str]) -> Callable[[Candidate], bool]:
    def check(c: Candidate) -> bool:
        if not pattern.search(c.key) or _ENV_NOT_SECRET.search(c.key):
            return False
        v = c.value.strip()
        return not (v.startswith("$") or v.lower() in {"true", "false", "yes", "no", "on", "off"})

    return check


def _not_word(c: Candidate) -> bool:
    """At least two character classes: lower, upper, digit, other (not a plain word)."""
    v = c.value
    classes = (
        any(ch.islower() for ch in v),
        any(ch.isupper() for ch in v),
        any(ch.isdigit() for ch in v),
        any(not ch.isalnum() for ch in v),
    )
    return sum(classes) >= 2


def _not_placeholder(c: Candidate) -> bool:
    return not is_placeholder(c.value)


CHECKS: dict[Check, Callable[[Candidate], bool]] = {
    Check.NOT_PLACEHOLDER: _not_placeholder,
    Check.NOT_WORD: _not_word,
    Check.ENV_PASSWORD_NAME: _env_name(_ENV_PASSWORD),
    Check.ENV_SECRET_NAME: _env_name(_ENV_SECRET),
    Check.PEM_BODY: _pem_body,
    Check.JWT: _jwt,
    Check.MIXED_CASE: _mixed_case,
    Check.HAS_DIGIT: _has_digit,
    Check.URL_CREDENTIALS: _url_credentials,
    Check.GENERIC_ASSIGNMENT: _generic_assignment,
    Check.BASE64_USER_PASS: _base64_user_pass,
}
