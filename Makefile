# The two commands a newcomer needs: `make run` and `make test`. Everything else is set up here.
SHELL := bash
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint migrate install messages

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
	python -m services.councils demo
	python -m services.grants demo
	@echo "SPN is starting: gateway http://127.0.0.1:8000 (API docs http://127.0.0.1:8000/docs);"
	@echo "registry :8001, councils :8002, grants :8003 (each with /docs). Ctrl-C stops them all."
	honcho start -f Procfile

test: install
	pytest $(PYTEST_ARGS)

lint: install
	ruff check .
	ruff format --check .
	mypy .

# The problem texts: extract every `_("...")` of each package into its Armenian catalog
# (<package>/locales/hy/LC_MESSAGES/<name>.po; a service has one once it has a messages.py),
# keeping the translations already made. New or changed texts come in untranslated or fuzzy;
# translate them there: the tests fail until then.
LOCALIZED := shared $(patsubst %/messages.py,%,$(wildcard services/*/messages.py))
messages: install
	@for package in $(LOCALIZED); do \
	  name=$$(basename $$package); po=$$package/locales/hy/LC_MESSAGES/$$name.po; \
	  pot=$$(mktemp); \
	  pybabel --quiet extract -F pyproject.toml --no-default-keywords --keyword _ \
	    --add-location file --sort-output --no-wrap --project SPN -o $$pot $$package && \
	  if [ -f $$po ]; then \
	    pybabel --quiet update --no-wrap --ignore-obsolete --ignore-pot-creation-date -D $$name -l hy -i $$pot -o $$po; \
	  else \
	    pybabel --quiet init --no-wrap -D $$name -l hy -i $$pot -o $$po; \
	  fi; \
	  rm -f $$pot; \
	done
