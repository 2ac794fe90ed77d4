# bifsmn-mcu: set-up, tests and the main job. Two commands matter (see README.md):
#   make demo   runs the main job on the shipped default model
#   make test   runs the test suite (writes a JUnit XML report)
# Both run `setup` first: as root on a fresh Debian 12 machine it installs the Debian packages
# the project uses (only those missing), creates .venv and installs the project into it. No prompts.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.bifsmn-setup-done
APT_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc g++ python3-dev espeak-ng flite
JUNIT ?= test-results/junit.xml
PYTEST_ARGS ?=

# PlatformIO state stays inside the work tree and never phones home (its registry may be unreachable)
export PLATFORMIO_CORE_DIR ?= $(CURDIR)/.pio-core
export PLATFORMIO_DISABLE_UPGRADE_CHECK ?= true
export PLATFORMIO_SETTING_ENABLE_TELEMETRY ?= No

.PHONY: setup system-packages test demo clean

setup: $(STAMP)
	@# idempotent and ~0.3 s: lets `pio run` work with no registry (tool-scons from the pip scons)
	@$(VENV)/bin/python -m bifsmn_mcu.pio_offline

system-packages:
	@if ! command -v dpkg-query >/dev/null; then \
	  echo "setup: not a Debian system; install by hand: $(APT_PACKAGES)"; exit 0; fi; \
	missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -z "$$missing" ]; then echo "setup: Debian packages present"; exit 0; fi; \
	echo "setup: installing Debian packages:$$missing"; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

$(STAMP): pyproject.toml setup.py
	@$(MAKE) --no-print-directory system-packages
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@# torch is pinned (==) in the train extra: never let pip pick an unpinned torch
	$(VENV)/bin/python -m pip install -q --no-compile -e '.[train,dev]'
	@touch $@

test: setup
	@mkdir -p $(dir $(JUNIT))
	$(VENV)/bin/python -m pytest --junitxml=$(JUNIT) $(PYTEST_ARGS)

demo: setup
	$(VENV)/bin/bifsmn-mcu demo

clean:
	rm -rf build dist test-results .pytest_cache
