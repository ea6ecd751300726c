# The command contract: make run | make test | make synth | make bench
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bundles synth deploy bench setup system-deps clean
STAGE ?= dev

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
	$(PY) -m local $(ARGS)

test: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports  # the architecture contracts of .importlinter (issue 13)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check .

# The task functions' bundles (build/bundles/, infra/package.py): rebuilt only when their sources changed.
bundles: $(STAMP)
	$(PY) -m infra.package

# Builds the bundles, then the template that references them (and the API's zip, via chalice package).
synth: bundles
	STAGE=$(STAGE) $(PY) -m infra.app
	@echo "template: cdk.out/BirthRegStack.template.json"

# Deploy one stage with the CDK CLI (fetched by npx); it runs infra.app, which builds the bundles.
# Needs AWS credentials and a bootstrapped account/region (infra/README.md). CDK_ARGS e.g. --require-approval never
deploy: bundles
	npx --yes aws-cdk@2 deploy -c stage=$(STAGE) --strict $(CDK_ARGS)

# Measures the bundles the template references, so it synthesises first (benchmarks/bundles.py),
# as stage "bench" with example values for what a real deployment must give (nothing is deployed).
bench: bundles
	SITE_DOMAIN=bench.example.invalid CERTIFICATE_ARN=arn:aws:acm:us-east-1:000000000000:certificate/bench \
	SMS_GATEWAY_URL=https://sms.example.invalid/send SMS_GATEWAY_APP_KEY=bench \
	SHARING_YUKUAIBAN_URL=https://ykb.example.invalid/registrations SHARING_YUKUAIBAN_APP_KEY=bench \
	SHARING_PIS_URL=https://pis.example.invalid/registrations SHARING_PIS_APP_KEY=bench STAGE=bench $(PY) -m infra.app
	$(PY) -m benchmarks

clean:
	rm -rf cdk.out build .pytest_cache test-artifacts
