"""Planted secrets in a realistic project tree are all found, exactly, and never printed.

Every value is FAKE: AWS's documented example key pair, keys generated right
here by ssh-keygen / openssl / gpg / puttygen / cryptography into tmp_path, and
tokens from secret_fakes.fake() in the providers' published shapes.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from secret_fakes import ALNUM, HEX, fake
from secret_reference import reference_scanner

from hullguard.secrets import HEAD_BYTES, SecretScanner
from hullguard.secrets.checks import DOCUMENTED_EXAMPLE_NOTE

AWS_EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"  # AWS documentation example key id
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # ... and its secret key
TOK = ALNUM + "_-"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("ssh-keygen", "openssl", "gpg", "puttygen")),
    reason="needs ssh-keygen, openssl, gpg and puttygen (Makefile APT_PACKAGES)",
)


@dataclass
class Tree:
    root: Path
    expected: set[tuple[str, str, int]] = field(default_factory=set)
    values: list[str] = field(default_factory=list)

    def write(self, rel: str, text: str, *found: tuple[str, str]) -> None:
        """Write ``rel``; each (rule, value) is expected at the line where value starts."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        for rule, value in found:
            self.expect(rule, rel, text[: text.index(value)].count("\n") + 1, value)

    def expect(self, rule: str, rel: str, line: int, value: str = "") -> None:
        self.expected.add((rule, rel, line))
        if value:
            self.values.append(value)

    def keyfile(
        self, rel: str, rule: str = "private-key", marker: str = "-----BEGIN", after: int = 0
    ) -> str:
        """Expect a key finding ``after`` lines below ``marker``; remember the key body."""
        text = (self.root / rel).read_text()
        self.expect(rule, rel, text[: text.index(marker)].count("\n") + 1 + after)
        body = "".join(
            ln for ln in text.splitlines() if ln and not ln.startswith(("-----", "Private-MAC"))
        )
        self.values.append(body)
        return text


def run(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(args, check=True, capture_output=True, cwd=cwd)


def _keys(t: Tree) -> None:
    (t.root / "deploy").mkdir(parents=True)
    run(
        "ssh-keygen",
        "-q",
        "-t",
        "ed25519",
        "-N",
        "",
        "-C",
        "fake",
        "-f",
        str(t.root / "deploy/id_ed25519"),
    )
    t.keyfile("deploy/id_ed25519")
    t.expect("sensitive-file-key", "deploy/id_ed25519", 0)
    (t.root / "home/.ssh").mkdir(parents=True)
    run(
        "ssh-keygen",
        "-q",
        "-t",
        "rsa",
        "-b",
        "2048",
        "-m",
        "PEM",
        "-N",
        "",
        "-f",
        str(t.root / "home/.ssh/id_rsa"),
    )
    t.keyfile("home/.ssh/id_rsa")
    t.expect("sensitive-file-ssh", "home/.ssh/id_rsa", 0)
    (t.root / "keys").mkdir()
    run(
        "ssh-keygen",
        "-q",
        "-t",
        "ecdsa",
        "-m",
        "PEM",
        "-N",
        "",
        "-f",
        str(t.root / "keys/ecdsa.key"),
    )
    t.keyfile("keys/ecdsa.key")
    t.expect("sensitive-file-key", "keys/ecdsa.key", 0)
    run("ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", str(t.root / "keys/legacy_dsa"))
    t.keyfile("keys/legacy_dsa")
    run(
        "openssl",
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        str(t.root / "keys/tls.pem"),
    )
    t.keyfile("keys/tls.pem")
    t.expect("sensitive-file-key", "keys/tls.pem", 0)
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes-256-cbc",
        "-pass", "pass:fake-passphrase", "-out", str(t.root / "keys/encrypted.pem"))  # fmt: skip
    t.keyfile("keys/encrypted.pem")
    t.expect("sensitive-file-key", "keys/encrypted.pem", 0)
    run(
        "puttygen",
        "-t",
        "ed25519",
        "-C",
        "fake",
        "--new-passphrase",
        "/dev/null",
        "-o",
        str(t.root / "keys/deploy.ppk"),
    )
    t.keyfile("keys/deploy.ppk", "putty-private-key", "Private-Lines", after=1)
    t.expect("sensitive-file-keystore", "keys/deploy.ppk", 0)
    home = t.root.parent / "gnupg"
    home.mkdir(mode=0o700)
    gpg = [
        "gpg",
        "--homedir",
        str(home),
        "--batch",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
    ]
    run(*gpg, "--quick-gen-key", "Fake Key <fake@example.invalid>", "ed25519", "sign", "never")
    out = subprocess.run([*gpg, "--armor", "--export-secret-keys"], check=True, capture_output=True)
    (t.root / "keys/signing.asc").write_bytes(out.stdout)
    t.keyfile("keys/signing.asc")


def _gcp(t: Tree) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    doc = {
        "type": "service_account",
        "project_id": "fake-project",
        "private_key_id": fake(HEX, 40, "kid"),
        "private_key": pem,
        "client_email": "svc@fake-project.iam.gserviceaccount.com",
    }
    text = json.dumps(doc, indent=2) + "\n"
    t.write("config/gcp-sa.json", text)
    t.expect(
        "gcp-service-account-key",
        "config/gcp-sa.json",
        text[: text.index('"private_key"')].count("\n") + 1,
    )
    t.values.append("".join(pem.splitlines()[1:-1]))


def _files(t: Tree) -> None:
    pw = fake(ALNUM, 20, "db")
    stripe = "sk_live_" + fake(ALNUM, 24, "stripe")
    t.write(".env", f"# local settings\nDATABASE_URL=postgres://app:{pw}@db.internal:5432/app\n"
            f"STRIPE_SECRET_KEY={stripe}\nDEBUG=0\n",
            ("url-credentials", pw), ("stripe-live-secret-key", stripe))  # fmt: skip
    t.expect("sensitive-file-env", ".env", 0)
    ghp = "ghp_" + fake(ALNUM, 36, "ghp")
    t.write("app/settings.py", f'import os\n\nAWS_ACCESS_KEY_ID = "{AWS_EXAMPLE_ID}"\n'
            f'AWS_SECRET_ACCESS_KEY = "{AWS_EXAMPLE_SECRET}"\nGITHUB_TOKEN = "{ghp}"\n'
            'DEBUG = os.environ.get("DEBUG") == "1"\n',
            ("aws-access-key-id", AWS_EXAMPLE_ID), ("aws-secret-access-key", AWS_EXAMPLE_SECRET),
            ("github-pat", ghp))  # fmt: skip
    akid = "AKIA" + fake(B32, 16, "akid")
    sak = fake(ALNUM + "+/", 40, "sak")
    t.write(".aws/credentials", f"[default]\naws_access_key_id = {akid}\naws_secret_access_key = {sak}\n",
            ("aws-access-key-id", akid), ("aws-secret-access-key", sak))  # fmt: skip
    t.expect("sensitive-file-aws-credentials", ".aws/credentials", 0)
    npm = "npm_" + fake(ALNUM, 36, "npm")
    t.write(".npmrc", f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={npm}\n",
            ("npm-access-token", npm))  # fmt: skip
    t.expect("sensitive-file-npmrc", ".npmrc", 0)
    pypi = "pypi-AgEIcHlwaS5vcmc" + fake(TOK, 160, "pypi")
    t.write(
        ".pypirc", f"[pypi]\nusername = __token__\npassword = {pypi}\n", ("pypi-upload-token", pypi)
    )
    t.expect("sensitive-file-pypirc", ".pypirc", 0)
    auth = base64.b64encode(f"ci-bot:{fake(ALNUM, 24, 'reg')}".encode()).decode()
    t.write(".docker/config.json", json.dumps({"auths": {"registry.corp.io": {"auth": auth}}}, indent=2),
            ("docker-config-auth", auth))  # fmt: skip
    t.expect("sensitive-file-docker-config", ".docker/config.json", 0)
    gho = "gho_" + fake(ALNUM, 36, "gho")
    t.write(".git-credentials", f"https://ci-bot:{gho}@github.com\n", ("github-oauth-token", gho))
    t.expect("sensitive-file-git-credentials", ".git-credentials", 0)
    glpat = "glpat-" + fake(TOK, 20, "glpat")
    t.write("repo/.git/config", f'[remote "origin"]\n\turl = https://oauth2:{glpat}@gitlab.corp.io/g/r.git\n',
            ("gitlab-pat", glpat))  # fmt: skip
    t.expect("sensitive-file-git-repo", "repo/.git/config", 0)
    t.write("repo/.git/HEAD", "ref: refs/heads/main\n")
    jwt = ".".join(
        base64.urlsafe_b64encode(json.dumps(p).encode()).decode().rstrip("=")
        for p in ({"alg": "RS256", "kid": "fake"}, {"sub": "system:serviceaccount:ci:deployer"})
    ) + "." + fake(TOK, 342, "sig")  # fmt: skip
    t.write(".kube/config", "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n"
            f"    token: {jwt}\n", ("jwt", jwt))  # fmt: skip
    t.expect("sensitive-file-kubeconfig", ".kube/config", 0)
    dbpw = fake(ALNUM + "!#", 22, "tf")
    t.write("infra/terraform.tfstate", json.dumps({"version": 4, "resources": [{"instances": [
            {"attributes": {"username": "admin", "password": dbpw}}]}]}, indent=2),
            ("generic-password", dbpw))  # fmt: skip
    t.expect("sensitive-file-tfstate", "infra/terraform.tfstate", 0)
    cpw, dpw, mpw = fake(ALNUM, 16, "c"), fake(ALNUM, 18, "d"), fake(ALNUM, 14, "m")
    t.write("scripts/deploy.sh", "#!/bin/sh\nset -eu\n"
            f"curl -fsSL -u deploy:{cpw} https://artifacts.corp.io/app.tgz -o /tmp/app.tgz\n"
            f"docker login -u ci -p {dpw} registry.corp.io\n"
            f"mysql -u root -p{mpw} -h db app < schema.sql\n",
            ("curl-basic-auth", cpw), ("cli-password-flag", dpw), ("mysql-password-flag", mpw))  # fmt: skip
    hook = f"T{fake(B32, 8, 'h1')}/B{fake(B32, 8, 'h2')}/{fake(ALNUM, 24, 'h3')}"
    xoxb = f"xoxb-{fake('0123456789', 12, 'x1')}-{fake('0123456789', 13, 'x2')}-{fake(ALNUM, 24, 'x3')}"
    t.write("src/notify.js", f"const HOOK = 'https://hooks.slack.com/services/{hook}';\n"
            f"const BOT = process.env.SLACK_BOT || '{xoxb}';\nmodule.exports = {{ HOOK, BOT }};\n",
            ("slack-webhook-url", hook), ("slack-token", xoxb))  # fmt: skip
    oa = f"sk-proj-{fake(TOK, 74, 'o1')}T3BlbkFJ{fake(TOK, 74, 'o2')}"
    ant = f"sk-ant-api03-{fake(TOK, 93, 'an')}AA"
    hf = "hf_" + fake(ALNUM, 34, "hf")
    t.write("src/ai/clients.py", f'OPENAI_API_KEY = "{oa}"\nANTHROPIC_API_KEY = "{ant}"\nHF_TOKEN = "{hf}"\n',
            ("openai-api-key", oa), ("anthropic-api-key", ant), ("huggingface-token", hf))  # fmt: skip
    dckr = "dckr_pat_" + fake(TOK, 27, "dckr")
    t.write("Dockerfile", f"FROM debian:bookworm-slim\nARG DOCKERHUB_TOKEN={dckr}\n"
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n",
            ("dockerhub-pat", dckr))  # fmt: skip
    t.write(
        ".env.example", "DATABASE_URL=postgres://user:password@localhost/app\nAPI_KEY=<your-key>\n"
    )
    t.write("README.md", "Set `password: ${DB_PASSWORD}` and never commit `.env`.\n")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    t = Tree(tmp_path_factory.mktemp("ctx") / "project")
    t.root.mkdir()
    _keys(t)
    _gcp(t)
    _files(t)
    return t


def hullguard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hullguard", *args], capture_output=True, text=True, check=False
    )


def _found(doc: dict[str, object]) -> list[dict[str, object]]:
    return doc["secrets"]["findings"]  # type: ignore[index,no-any-return]


def test_every_planted_secret_is_found_exactly(planted: Tree, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    proc = hullguard(
        "scan", f"dir:{planted.root}", "--scanners", "secret", "-f", "json", "-o", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    findings = _found(json.loads(out.read_text()))
    got = {(f["rule_id"], f["path"], f["line"]) for f in findings}
    assert got - planted.expected == set(), "unexpected findings"
    assert planted.expected - got == set(), "missed planted secrets"
    notes = {f["rule_id"]: f["note"] for f in findings if f["path"] == "app/settings.py"}
    assert notes["aws-access-key-id"] == DOCUMENTED_EXAMPLE_NOTE
    assert notes["aws-secret-access-key"] == DOCUMENTED_EXAMPLE_NOTE
    assert notes["github-pat"] == ""


def _leaks(text: str, values: list[str]) -> list[str]:
    """Any 8-character window of a secret value that appears in ``text``."""
    return [v[:12] for v in values for i in range(0, len(v) - 8, 3) if v[i : i + 8] in text]


def test_no_secret_value_in_any_output(planted: Tree) -> None:
    for fmt in ("json", "table"):
        proc = hullguard("scan", f"dir:{planted.root}", "-f", fmt)
        assert proc.returncode == 0, proc.stderr
        assert "…[" in proc.stdout
        assert _leaks(proc.stdout + proc.stderr, planted.values) == [], fmt


def test_table_lists_every_finding(planted: Tree) -> None:
    proc = hullguard("scan", f"dir:{planted.root}", "--exit-code", "4")
    assert proc.returncode == 4
    rows = [ln for ln in proc.stdout.splitlines()[3:] if ln.strip()]
    assert len(rows) == len(planted.expected)
    assert any(
        r.startswith("CRITICAL") and "app/settings.py:5" in r and "github-pat" in r for r in rows
    )


def test_config_allows_examples_and_disables_rules(planted: Tree, tmp_path: Path) -> None:
    cfg = tmp_path / "secrets.yaml"
    cfg.write_text(
        "allow_documented_examples: true\n"
        "disable: [sensitive-file-git-repo, private-key]\n"
        "allow:\n  - id: ignore-scripts\n    description: demo\n    paths: ['^scripts/']\n"
    )
    proc = hullguard("scan", f"dir:{planted.root}", "-f", "json", "--secret-config", str(cfg))
    assert proc.returncode == 0, proc.stderr
    got = {(f["rule_id"], f["path"], f["line"]) for f in _found(json.loads(proc.stdout))}
    gone = {e for e in planted.expected if e[1] == "app/settings.py" and e[0].startswith("aws")}
    gone |= {e for e in planted.expected if e[0] in {"sensitive-file-git-repo", "private-key"}}
    gone |= {e for e in planted.expected if e[1].startswith("scripts/")}
    assert got == planted.expected - gone


def _engine_results(root: Path, scanners: list[SecretScanner]) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in scanners]
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        for i, sc in enumerate(scanners):
            if sc.wants(rel, len(data), data[:HEAD_BYTES]):
                out[i] += [f"scanned {rel}", *(repr(m) for m in sc.scan_bytes(rel, data))]
            else:
                out[i].append(f"skipped {rel}")
    return out


def test_fast_engine_drops_no_planted_finding(planted: Tree) -> None:
    """The keyword automaton, anchors and path checks equal the plain engine."""
    fast, ref = _engine_results(planted.root, [SecretScanner(), reference_scanner()])
    assert fast == ref
    assert sum("SecretMatch(" in r for r in fast) >= len(planted.expected) - 5


def test_fast_engine_equals_reference_on_etc() -> None:
    fast, ref = _engine_results(Path("/etc"), [SecretScanner(), reference_scanner()])
    assert fast == ref
    assert len(fast) > 50
