"""Every built-in rule finds its secret in a realistic line, and not its look-alikes.

All values are FAKE (see conftest.fake): right prefix, length and alphabet, random
content, never issued by any provider.
"""

from __future__ import annotations

import base64
import json

import pytest
from secret_fakes import ALNUM, B64, HEX, fake

from hullguard.secrets import SecretScanner
from hullguard.secrets.checks import redact
from hullguard.secrets.config import builtin_rules

UPPER_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
TOK = ALNUM + "_-"


def _b64url(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def _pem(label: str, body: str, escaped: bool = False) -> str:
    nl = "\\n" if escaped else "\n"
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----{nl}" + nl.join(lines) + f"{nl}-----END {label}-----"


def _cases() -> list[tuple[str, str, str]]:
    """(rule id, file text, the secret value the rule must report)."""
    c: list[tuple[str, str, str]] = []
    sa_key = _pem("PRIVATE KEY", fake(B64, 1216, "gcp"), escaped=True) + "\\n"
    sa = json.dumps(
        {
            "type": "service_account",
            "project_id": "demo-project",
            "private_key_id": fake(HEX, 40, "gcpid"),
            "private_key": "@KEY@",
            "client_email": "svc@demo-project.iam.gserviceaccount.com",
        },
        indent=2,
    )
    c.append(("gcp-service-account-key", sa.replace("@KEY@", sa_key), sa_key))
    body = fake(B64, 1596, "rsa")
    pem = _pem("RSA PRIVATE KEY", body)
    c.append(("private-key", pem + "\n", pem.split("-----", 3)[2].split("-----END")[0]))
    ppk_priv = fake(B64, 44, "ppk")
    ppk = (
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\n"
        f"Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{fake(B64, 40, 'pub')}\n"
        f"{fake(B64, 20, 'pub2')}\nPrivate-Lines: 1\n{ppk_priv}\nPrivate-MAC: {fake(HEX, 64)}\n"
    )
    c.append(("putty-private-key", ppk, ppk_priv + "\n"))
    akid = "AKIA" + fake(UPPER_B32, 16, "akid")
    c.append(("aws-access-key-id", f"aws_access_key_id = {akid}\n", akid))
    sak = fake(B64, 40, "sak")
    c.append(("aws-secret-access-key", f"aws_secret_access_key = {sak}\n", sak))
    c.append(
        (
            "aws-secret-access-key-paired",
            f"User name,Access key ID,Secret access key\nci,{akid},{sak}\n",
            sak,
        )
    )
    for rid, prefix, n in [
        ("github-pat", "ghp_", 36),
        ("github-oauth-token", "gho_", 36),
        ("github-app-token", "ghs_", 36),
        ("github-refresh-token", "ghr_", 76),
        ("npm-access-token", "npm_", 36),
        ("huggingface-token", "hf_", 34),
        ("stripe-live-secret-key", "sk_live_", 24),
        ("stripe-test-secret-key", "sk_test_", 24),
        ("alibaba-access-key-id", "LTAI", 20),
    ]:
        value = prefix + fake(ALNUM, n, rid)
        c.append((rid, f'TOKEN = "{value}"\n', value))
    ghf = f"github_pat_{fake(ALNUM, 22, 'f1')}_{fake(ALNUM, 59, 'f2')}"
    c.append(("github-fine-grained-pat", f"export GH_TOKEN={ghf}\n", ghf))
    for rid, value in [
        ("gitlab-pat", "glpat-" + fake(TOK, 20, "glpat")),
        ("gitlab-runner-token", "glrt-" + fake(TOK, 20, "glrt")),
        ("gitlab-deploy-token", "gldt-" + fake(TOK, 20, "gldt")),
        ("dockerhub-pat", "dckr_pat_" + fake(TOK, 27, "dckr")),
        ("rubygems-api-key", "rubygems_" + fake(HEX, 48, "gem")),
        ("digitalocean-token", "dop_v1_" + fake(HEX, 64, "do")),
        ("hashicorp-vault-token", "hvs." + fake(TOK, 95, "vault")),
        ("shopify-token", "shpat_" + fake(HEX, 32, "shop")),
        ("grafana-token", f"glsa_{fake(ALNUM, 32, 'gr')}_{fake(HEX, 8, 'gr2')}"),
        ("databricks-token", "dapi" + fake(HEX, 32, "dapi")),
        ("pulumi-token", "pul-" + fake(HEX, 40, "pul")),
        ("postman-api-key", f"PMAK-{fake(HEX, 24, 'pm1')}-{fake(HEX, 34, 'pm2')}"),
        ("sentry-token", "sntryu_" + fake(HEX, 64, "sentry")),
        ("gcp-api-key", "AIza" + fake(TOK, 35, "gcpapi")),
        ("sendgrid-api-key", f"SG.{fake(TOK, 22, 'sg1')}.{fake(TOK, 43, 'sg2')}"),
        ("age-secret-key", "AGE-SECRET-KEY-1" + fake("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
        ("anthropic-api-key", f"sk-ant-api03-{fake(TOK, 93, 'ant')}AA"),
        ("openai-api-key", f"sk-proj-{fake(TOK, 74, 'oa1')}T3BlbkFJ{fake(TOK, 74, 'oa2')}"),
        ("openai-project-key", f"sk-proj-{fake(TOK, 156, 'oa3')}"),
        ("pypi-upload-token", "pypi-AgEIcHlwaS5vcmc" + fake(TOK, 150, "pypi")),
    ]:
        c.append((rid, f"  credential: {value}\n", value))
    slack = f"xoxb-{fake('0123456789', 12, 's1')}-{fake('0123456789', 12, 's2')}-{fake(ALNUM, 24)}"
    c.append(("slack-token", f"SLACK={slack}\n", slack))
    upper = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    xapp = f"xapp-1-A{fake(upper, 10)}-{fake('0123456789', 13)}-{fake(HEX, 64)}"
    c.append(("slack-app-token", f"app_token: {xapp}\n", xapp))
    hook = f"T{fake(UPPER_B32, 8, 'h1')}/B{fake(UPPER_B32, 8, 'h2')}/{fake(ALNUM, 24, 'h3')}"
    c.append(("slack-webhook-url", f"url: https://hooks.slack.com/services/{hook}\n", hook))
    tw = "SK" + fake(HEX, 32, "twilio")
    c.append(("twilio-api-key", f"TWILIO_API_KEY={tw}\n", tw))
    legacy = fake(HEX, 32, "npmrc")
    c.append(("npmrc-auth", f"//registry.npmjs.org/:_authToken={legacy}\n", legacy))
    auth = base64.b64encode(f"ci-bot:{fake(ALNUM, 20, 'dockerpw')}".encode()).decode()
    cfg = json.dumps({"auths": {"registry.corp.io": {"auth": auth}}}, indent=2)
    c.append(("docker-config-auth", cfg, auth))
    ak = fake(B64, 86, "azure") + "=="
    c.append(
        (
            "azure-storage-account-key",
            f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={ak};EndpointSuffix=core.windows.net\n",
            ak,
        )
    )
    sk = fake(B64, 43, "sb") + "="
    c.append(
        (
            "azure-shared-access-key",
            f"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={sk}\n",
            sk,
        )
    )
    sig = fake(ALNUM, 43, "sas") + "%3D"
    c.append(
        (
            "azure-sas-token",
            f"https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sp=r&se=2030-01-01&sig={sig}\n",
            sig,
        )
    )
    entra = f"{fake(ALNUM, 3, 'en1')}8Q~{fake(ALNUM + '_~.-', 34, 'en2')}"
    c.append(("azure-ad-client-secret", f'AZURE_CLIENT_SECRET="{entra}"\n', entra))
    jwt = ".".join(
        [_b64url({"alg": "HS256", "typ": "JWT"}), _b64url({"sub": "svc"}), fake(TOK, 43, "jwt")]
    )
    c.append(("jwt", f"Authorization: Bearer {jwt}\n", jwt))
    pw = fake(ALNUM, 20, "url")
    c.append(
        ("url-credentials", f"DATABASE_URL=postgres://app_rw:{pw}@db.prod.internal:5432/app\n", pw)
    )
    pw = fake(ALNUM, 16, "curl")
    c.append(
        (
            "curl-basic-auth",
            f"curl -fsSL -u deploy:{pw} https://artifacts.corp.internal/x.tgz\n",
            pw,
        )
    )
    tok = fake(ALNUM, 32, "hdr")
    c.append(
        ("curl-auth-header", f'curl -H "Authorization: Bearer {tok}" https://api.corp.io/\n', tok)
    )
    pw = fake(ALNUM, 18, "opt")
    c.append(
        (
            "cli-password-option",
            f"helm repo add corp https://charts.corp.io --username ci --password {pw}\n",
            pw,
        )
    )
    pw = fake(ALNUM, 18, "dl")
    c.append(("cli-password-flag", f"docker login -u ci -p {pw} registry.corp.io\n", pw))
    pw = fake(ALNUM, 14, "my")
    c.append(("mysql-password-flag", f"mysql -u root -p{pw} -h db app < dump.sql\n", pw))
    pw = fake(ALNUM + "!@#", 18, "gp")
    c.append(("generic-password", f'DB_PASSWORD = "{pw}"\n', pw))
    sec = fake(ALNUM, 32, "gs")
    c.append(("generic-secret", f"client_token: {sec}\n", sec))
    return c


CASES = _cases()
FILE_RULES = {r.id for r in builtin_rules()[0] if not r.id.startswith("env-")}


def test_every_file_rule_has_a_positive_case() -> None:
    assert {rid for rid, _, _ in CASES} == FILE_RULES


@pytest.mark.parametrize(("rule_id", "text", "value"), CASES, ids=[c[0] for c in CASES])
def test_rule_finds_its_secret(scanner: SecretScanner, rule_id: str, text: str, value: str) -> None:
    found = [m for m in scanner.scan_bytes("app/config.txt", text.encode()) if m.line]
    extra = {"aws-access-key-id"} if rule_id == "aws-secret-access-key-paired" else set()
    assert sorted(m.rule_id for m in found) == sorted({rule_id} | extra)
    (match,) = [m for m in found if m.rule_id == rule_id]
    assert match.redacted == redact(value)
    assert match.length == len(value)
    assert match.line == text[: text.index(value)].count("\n") + 1


NEGATIVES = [
    ("low-entropy token", "ghp_" + "x" * 36),
    ("too short", "ghp_" + fake(ALNUM, 30)),
    ("env lookup", 'password = os.environ["DB_PASSWORD"]'),
    ("template", "password: ${DB_PASSWORD}"),
    ("placeholder", 'api_key = "<your-api-key>"'),
    ("placeholder words", "token: your-token-goes-here-123456"),
    ("elided key", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----"),
    (
        "prose between markers",
        "-----BEGIN PRIVATE KEY-----\nput the key here, then the\n"
        "matching end line after it, as usual for pem files\n-----END PRIVATE KEY-----",
    ),
    ("public key", _pem("PUBLIC KEY", fake(B64, 392, "pub"))),
    ("certificate", _pem("CERTIFICATE", fake(B64, 900, "cert"))),
    ("stock url", "postgres://user:password@localhost/db"),
    ("url with variable", "https://ci:${GITHUB_TOKEN}@github.com/org/repo.git"),
    ("url example host", "https://admin:Zx81kPq2@proxy.example.com:3128"),
    ("token type", "token_type = 'bearer_ab12cd34ef56gh78'"),
    ("not a jwt", "eyXXXXXXXXXXXXXXXXXX.eyYYYYYYYYYYYYYYYYYY.ZZZZZZZZZZZZZZZZZZ"),
    ("curl with variables", "curl -u $USER:$PASS https://x.corp.io"),
    ("password stdin", "echo $TOKEN | docker login --password-stdin -u ci"),
    ("mysql prompt", "mysql -u root -p app"),
    ("passenger", 'passenger_name = "Ab3xYz9QwErTy"'),
    ("public key var", "public_key = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx7'"),
    ("type annotation", "    private_key: ed25519.Ed25519PrivateKey,"),
    ("option prose", "pass the --password option to svn, or --token instead"),
    ("uppercase placeholder", "--password=PASSWORD"),
    ("rfc example", 'access_token="2YotnFZFEjr1zCsicMWpAA"'),
    ("git sha near id", f"AKIA{fake(UPPER_B32, 16, 'x')} {fake(HEX, 40, 'sha')}"),
    ("buildkit secret mount", "RUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci"),
    ("twilio without context", "SK" + fake(HEX, 32, "notwilio")),
]


@pytest.mark.parametrize(("label", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_look_alikes_are_not_reported(scanner: SecretScanner, label: str, text: str) -> None:
    found = [m for m in scanner.scan_bytes("app/settings.py", text.encode()) if m.line]
    if label == "git sha near id":  # the key id is a finding; the SHA next to it is not
        assert [m.rule_id for m in found] == ["aws-access-key-id"]
    else:
        assert found == [], label
