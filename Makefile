# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up here.
SHELL := bash
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint migrate install

$(UV):
	@command -v python3 >/dev/null || { echo "SPN needs python3 (3.11 or newer)"; exit 1; }
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python python3
	@touch $@

install: $(VENV)/.installed

migrate: install
	python -m services.registry migrate
	python -m services.councils migrate
	python -m services.grants migrate

run: migrate
	python -m services.registry demo
	@echo "SPN is starting: gateway http://127.0.0.1:8000 (API docs http://127.0.0.1:8000/docs);"
	@echo "registry :8001, councils :8002, grants :8003 (each with /docs). Ctrl-C stops them all."
	honcho start -f Procfile

test: install
	pytest $(PYTEST_ARGS)

lint: install
	ruff check .
	ruff format --check .
	mypy .
