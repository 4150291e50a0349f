"""PHP composer (Syft fixtures), Ruby gemspec and .NET deps.json catalogers.

Composer expectations are the ``name``/``version``/``license`` of the entries in Syft's
``php/testdata/vendor/composer_{1,2}/installed.json``. No installed ``.gemspec`` or
``.deps.json`` fixture exists in shared/ (Syft's gemspecs were left out as Ruby code),
so those inputs are written here in the exact layout RubyGems / the .NET SDK write (real
gemspecs are compared with ``gem list`` in tests/integration/catalog).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hullguard.catalog.dotnet import DotnetDepsCataloger
from hullguard.catalog.php import ComposerInstalledCataloger
from hullguard.catalog.ruby import RubyGemspecCataloger, parse_gemspec


@pytest.mark.parametrize("layout", ["composer_1", "composer_2"])
def test_composer_installed(syft_catalogers: Path, layout: str) -> None:
    data = (syft_catalogers / f"php/testdata/vendor/{layout}/installed.json").read_bytes()
    path = "/app/vendor/composer/installed.json"
    cataloger = ComposerInstalledCataloger()
    assert cataloger.wants(path)
    pkgs = cataloger.catalog({path: data}, None)
    assert [(p.name, p.version, p.licenses, p.purl) for p in pkgs] == [
        ("asm89/stack-cors", "1.3.0", ("MIT",), "pkg:composer/asm89/stack-cors@1.3.0"),
        ("behat/mink", "v1.8.1", ("MIT",), "pkg:composer/behat/mink@v1.8.1"),
    ]


GEMSPEC = b"""# -*- encoding: utf-8 -*-
# stub: bundler 2.1.4 ruby lib

Gem::Specification.new do |s|
  s.name = "bundler".freeze
  s.version = "2.1.4"

  s.required_rubygems_version = Gem::Requirement.new(">= 2.5.2".freeze) if s.respond_to? \
:required_rubygems_version=
  s.require_paths = ["lib".freeze]
  s.authors = ["Andr\\u00E9 Arko".freeze, "Samuel Giddins".freeze]
  s.homepage = "https://bundler.io".freeze
  s.licenses = ["MIT".freeze]
  s.rubygems_version = "3.1.2".freeze
  s.summary = "The best way to manage your application's dependencies".freeze
  s.installed_by_version = "3.1.2" if s.respond_to? :installed_by_version
end
"""


def test_gemspec() -> None:
    path = "/usr/local/lib/ruby/gems/2.7.0/specifications/bundler-2.1.4.gemspec"
    cataloger = RubyGemspecCataloger()
    assert cataloger.wants(path)
    assert not cataloger.wants("/src/app/bundler.gemspec")
    assert cataloger.wants("/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec")
    [pkg] = cataloger.catalog({path: GEMSPEC}, None)
    assert (pkg.name, pkg.version, pkg.licenses, pkg.purl) == (
        "bundler",
        "2.1.4",
        ("MIT",),
        "pkg:gem/bundler@2.1.4",
    )
    assert pkg.meta("homepage") == "https://bundler.io"


def test_gemspec_code_is_not_evaluated() -> None:
    fields = parse_gemspec('s.name = ENV["X"]\ns.version = File.read("v")\n')
    assert fields == {}


DEPS_JSON = b"""{
  "runtimeTarget": {"name": ".NETCoreApp,Version=v6.0", "signature": ""},
  "targets": {".NETCoreApp,Version=v6.0": {
    "app/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.1"}},
    "Newtonsoft.Json/13.0.1": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {}}}
  }},
  "libraries": {
    "app/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "Newtonsoft.Json/13.0.1": {"type": "package", "serviceable": true,
      "sha512": "sha512-ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJw==",
      "path": "newtonsoft.json/13.0.1", "hashPath": "newtonsoft.json.13.0.1.nupkg.sha512"}
  }
}"""


def test_deps_json() -> None:
    path = "/app/app.deps.json"
    cataloger = DotnetDepsCataloger()
    assert cataloger.wants(path)
    [pkg] = cataloger.catalog({path: DEPS_JSON}, None)
    assert (pkg.name, pkg.version, pkg.purl) == (
        "Newtonsoft.Json",
        "13.0.1",
        "pkg:nuget/Newtonsoft.Json@13.0.1",
    )
    assert pkg.meta("path") == "newtonsoft.json/13.0.1"


def test_bad_json_is_ignored() -> None:
    assert DotnetDepsCataloger().catalog({"/a.deps.json": b"{"}, None) == []
    assert (
        ComposerInstalledCataloger().catalog({"/v/vendor/composer/installed.json": b"["}, None)
        == []
    )
