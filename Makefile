# The command contract: make run | make test | make synth | make bench
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint synth bench setup system-deps clean

$(STAMP): requirements.txt requirements-dev.txt functions/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "pip>=24,<26.3"  # chalice 1.34 packages with pip and requires < 26.3
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

# Debian packages the tests use (PDF to image, QR decoding, the browser). Needs root.
system-deps:
	bash .ci/system-deps

run: $(STAMP)
	$(PY) -m local

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

synth: $(STAMP)
	$(PY) -m infra.app
	@echo "template: cdk.out/BirthRegStack.template.json"

bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf cdk.out build .pytest_cache test-artifacts
