"""Reference implementations (oracles) and real version data for the versions tests.

Every oracle is a real implementation installed on the machine (the Makefile's
APT_PACKAGES, npm for the ``semver`` package). A missing oracle FAILS the test
with the install step to run; it never skips silently. Each oracle evaluates a
whole batch in one process (or two, for dpkg) so the suite stays fast.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
#: CI lays shared/ beside the clone; HULLGUARD_SHARED overrides it (e.g. in a worktree)
SHARED = Path(os.environ.get("HULLGUARD_SHARED") or REPO / ".." / "shared")
VULNDATA = SHARED / "vulndata"
FIXTURES = SHARED / "fixtures"
NODE_ORACLE_DIR = REPO / ".cache" / "node-oracle"
SEMVER_NPM_SPEC = "semver@7"
MAVEN_JARS = "/usr/share/maven/lib/maven-artifact*.jar"
GOCODE = Path("/usr/share/gocode")

Pair = tuple[str, str]


def need(condition: bool, what: str, fix: str) -> None:
    """Fail (never skip) when a reference implementation or data set is missing."""
    if not condition:
        pytest.fail(f"oracle missing: {what}; install it with: {fix}", pytrace=False)


def run(
    cmd: Sequence[str], stdin: str = "", timeout: int = 300, quiet: bool = False, **kw: object
) -> str:
    proc = subprocess.run(
        list(cmd), input=stdin, capture_output=True, text=True, timeout=timeout, **kw
    )
    if proc.returncode != 0 or not (quiet or proc.stdout.strip()):
        pytest.fail(f"oracle {cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def sign(value: int) -> int:
    return (value > 0) - (value < 0)


# --------------------------------------------------------------------- dpkg
_DPKG_LOOP = r"""
while IFS=$'\t' read -r a b; do
  if dpkg --compare-versions "$a" lt "$b"; then echo -1
  elif dpkg --compare-versions "$a" gt "$b"; then echo 1
  else echo 0; fi
done
"""


@pytest.fixture(scope="session")
def dpkg_oracle() -> Callable[[list[Pair]], list[int]]:
    """``dpkg --compare-versions`` over pairs, in two parallel shell loops."""
    need(shutil.which("dpkg") is not None, "dpkg", "apt-get install dpkg")

    def compare(pairs: list[Pair]) -> list[int]:
        half = (len(pairs) + 1) // 2
        chunks = [pairs[:half], pairs[half:]]
        procs = [
            subprocess.Popen(
                ["bash", "-c", _DPKG_LOOP],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in chunks
        ]
        out: list[int] = []
        for proc, chunk in zip(procs, chunks, strict=True):
            stdout, stderr = proc.communicate("".join(f"{a}\t{b}\n" for a, b in chunk), 300)
            lines = stdout.split()
            assert len(lines) == len(chunk), stderr[-2000:]
            out.extend(int(x) for x in lines)
        return out

    return compare


@pytest.fixture(scope="session")
def apt_versions() -> list[str]:
    """Every distinct version in the apt cache (``apt-cache dumpavail``)."""
    need(shutil.which("apt-cache") is not None, "apt-cache", "a Debian system")
    text = run(["apt-cache", "dumpavail"])
    if "Version:" not in text:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        text = run(["apt-cache", "dumpavail"])
    versions = sorted({ln[9:].strip() for ln in text.splitlines() if ln.startswith("Version: ")})
    need(len(versions) > 1000, "apt package lists", "apt-get update")
    return versions


# ---------------------------------------------------------------------- rpm
_RPM_SCRIPT = """
import json, sys
import rpm
pairs = json.load(sys.stdin)
print(json.dumps([rpm.labelCompare(tuple(a), tuple(b)) for a, b in pairs]))
"""


@pytest.fixture(scope="session")
def rpm_oracle() -> Callable[[list[tuple[list[str | None], list[str | None]]]], list[int]]:
    """python3-rpm ``labelCompare`` (Debian's /usr/bin/python3), one process per batch."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import rpm"], capture_output=True)
    need(probe.returncode == 0, "python3-rpm for /usr/bin/python3", "apt-get install python3-rpm")

    def compare(pairs: list[tuple[list[str | None], list[str | None]]]) -> list[int]:
        return [
            sign(x)
            for x in json.loads(run(["/usr/bin/python3", "-c", _RPM_SCRIPT], json.dumps(pairs)))
        ]

    return compare


# -------------------------------------------------------------------- maven
@pytest.fixture(scope="session")
def maven_oracle() -> Callable[[list[Pair]], list[int]]:
    """Maven's ``ComparableVersion`` main(), which compares adjacent arguments."""
    jars = sorted(glob.glob(MAVEN_JARS))
    need(
        bool(jars) and shutil.which("java") is not None,
        "maven-artifact jar + java",
        "apt-get install maven",
    )
    ops = {"<": -1, "==": 0, ">": 1}

    def compare(pairs: list[Pair]) -> list[int]:
        args = [v for pair in pairs for v in pair]
        cmd = ["java", "-cp", jars[0], "org.apache.maven.artifact.versioning.ComparableVersion"]
        out = run([*cmd, *args]).splitlines()
        lines = [ln for ln in out if ln.startswith("   ")]
        assert len(lines) == len(args) - 1
        result = []
        for i, (a, b) in enumerate(pairs):
            line = lines[2 * i]
            prefix = f"   {a} "
            assert line.startswith(prefix) and line.endswith(f" {b}"), line
            result.append(ops[line[len(prefix) : len(line) - len(b) - 1]])
        return result

    return compare


# ------------------------------------------------------------ node semver
_NODE_SCRIPT = """
const semver = require(process.argv[1]);
let data = '';
process.stdin.on('data', c => data += c);
process.stdin.on('end', () => {
  const req = JSON.parse(data);
  const out = {
    ranges: req.ranges.map(r => semver.validRange(r) !== null),
    versions: req.versions.map(v => semver.valid(v) !== null),
    satisfies: req.checks.map(([r, v]) => semver.satisfies(v, r)),
    compare: req.pairs.map(([a, b]) => semver.compare(a, b)),
  };
  process.stdout.write(JSON.stringify(out));
});
"""


@pytest.fixture(scope="session")
def node_semver() -> Callable[[dict[str, object]], dict[str, list[object]]]:
    """The real ``semver`` npm package (installed once into .cache/node-oracle)."""
    need(
        shutil.which("node") is not None and shutil.which("npm") is not None,
        "node + npm",
        "apt-get install nodejs npm",
    )
    module = NODE_ORACLE_DIR / "node_modules" / "semver"
    if not (module / "package.json").is_file():
        NODE_ORACLE_DIR.mkdir(parents=True, exist_ok=True)
        run(
            [
                "npm",
                "install",
                "--prefix",
                str(NODE_ORACLE_DIR),
                "--no-audit",
                "--no-fund",
                "--silent",
                SEMVER_NPM_SPEC,
            ],
            quiet=True,
        )
    need(
        (module / "package.json").is_file(),
        "semver npm package",
        f"npm install --prefix {NODE_ORACLE_DIR} {SEMVER_NPM_SPEC}",
    )

    def evaluate(request: dict[str, object]) -> dict[str, list[object]]:
        out = run(["node", "-e", _NODE_SCRIPT, str(module)], json.dumps(request))
        return json.loads(out)

    return evaluate


# ------------------------------------------------------------ Go x/mod/semver
_GO_PROGRAM = """package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\\t")
		a, b := f[0], f[1]
		fmt.Fprintf(w, "%t %t %d\\n", semver.IsValid(a), semver.IsValid(b), semver.Compare(a, b))
	}
}
"""


@pytest.fixture(scope="session")
def go_semver() -> Iterator[Callable[[list[Pair]], list[tuple[bool, bool, int]]]]:
    """``golang.org/x/mod/semver`` from Debian's golang-golang-x-mod-dev, built offline."""
    need(shutil.which("go") is not None, "go toolchain", "apt-get install golang-go")
    need(
        (GOCODE / "src/golang.org/x/mod/semver").is_dir(),
        "golang.org/x/mod",
        "apt-get install golang-golang-x-mod-dev",
    )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "oracle.go"
        src.write_text(_GO_PROGRAM)
        binary = Path(tmp) / "oracle"
        env = {
            **os.environ,
            "GO111MODULE": "off",
            "GOPATH": str(GOCODE),
            "GOFLAGS": "",
            "GOCACHE": str(Path(tmp) / "cache"),
            "GOPROXY": "off",
        }
        run(["go", "build", "-o", str(binary), str(src)], quiet=True, env=env)

        def compare(pairs: list[Pair]) -> list[tuple[bool, bool, int]]:
            out = run([str(binary)], "".join(f"{a}\t{b}\n" for a, b in pairs))
            rows = [line.split() for line in out.splitlines()]
            return [(a == "true", b == "true", int(c)) for a, b, c in rows]

        yield compare


# ---------------------------------------------------------------- RubyGems
_RUBY_SCRIPT = """
require 'json'
pairs = JSON.parse($stdin.read)
out = pairs.map do |a, b|
  ok_a = Gem::Version.correct?(a) ? true : false
  ok_b = Gem::Version.correct?(b) ? true : false
  c = (ok_a && ok_b) ? (Gem::Version.new(a) <=> Gem::Version.new(b)) : nil
  [ok_a, ok_b, c]
end
print JSON.generate(out)
"""


@pytest.fixture(scope="session")
def ruby_gem_version() -> Callable[[list[Pair]], list[list[object]]]:
    """Ruby's ``Gem::Version`` (Debian's ruby)."""
    need(shutil.which("ruby") is not None, "ruby", "apt-get install ruby")

    def compare(pairs: list[Pair]) -> list[list[object]]:
        return json.loads(run(["ruby", "-e", _RUBY_SCRIPT], json.dumps(pairs)))

    return compare


# ---------------------------------------------------------------- Composer
_PHP_SCRIPT = """
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\\Semver\\VersionParser;
use Composer\\Semver\\Comparator;
$p = new VersionParser();
$pairs = json_decode(stream_get_contents(STDIN), true);
$out = [];
foreach ($pairs as [$a, $b]) {
  try { $na = $p->normalize($a); $nb = $p->normalize($b); }
  catch (\\UnexpectedValueException $e) { $out[] = null; continue; }
  $c = Comparator::lessThan($na, $nb) ? -1 : (Comparator::equalTo($na, $nb) ? 0 : 1);
  $out[] = [$na, $nb, $c];
}
echo json_encode($out);
"""


@pytest.fixture(scope="session")
def composer_oracle() -> Callable[[list[Pair]], list[object]]:
    """composer/semver ``VersionParser::normalize`` + ``Comparator`` (php-composer-semver)."""
    need(shutil.which("php") is not None, "php", "apt-get install php-cli")
    need(
        Path("/usr/share/php/Composer/Semver/autoload.php").is_file(),
        "composer/semver",
        "apt-get install php-composer-semver",
    )

    def compare(pairs: list[Pair]) -> list[object]:
        return json.loads(run(["php", "-r", _PHP_SCRIPT], json.dumps(pairs)))

    return compare


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """``<repo>/../shared/fixtures`` (read in place, never copied)."""
    need(FIXTURES.is_dir(), f"shared fixtures at {FIXTURES}", "place shared/ beside the repo")
    return FIXTURES


@pytest.fixture(scope="session")
def vulndata_dir() -> Path:
    """``<repo>/../shared/vulndata`` (read in place, never copied)."""
    need(VULNDATA.is_dir(), f"shared vulndata at {VULNDATA}", "place shared/ beside the repo")
    return VULNDATA


@pytest.fixture(scope="session")
def pypi_osv(vulndata_dir: Path) -> list[dict[str, object]]:
    """Every PyPI OSV record in shared/vulndata (YAML), parsed once per session."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    paths = sorted((vulndata_dir / "osv" / "pypi" / "vulns").glob("*/*.yaml"))
    need(len(paths) > 2000, "PyPI OSV records", "shared/vulndata/osv/pypi")
    return [yaml.load(p.read_text(), Loader=loader) for p in paths]
