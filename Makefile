# A fresh clone needs two commands (README, "Quick start"):
#   make demo   simulated Braze -> meltano run tap-braze-sends target-duckdb -> a summary
#   make test   the whole test suite (installs PostgreSQL's server binaries if missing)
# Each step is skipped when already done: the venv is reinstalled only when pyproject.toml
# changes, Meltano's plugins only when meltano.yml or pyproject.toml do.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 4
# The oldest singer-sdk that pyproject.toml's pin admits (its lower bound): .venv runs on it,
# and .ci/run also runs the CLI tests on the newest the pin admits (.venv-sdk-next).
SDK_OLDEST := 0.54.9

.PHONY: setup demo test lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml simulator/pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev]' -e ./simulator 'singer-sdk==$(SDK_OLDEST)'
	touch $@

# Meltano in .venv-meltano (its dependencies never meet singer-sdk's), plugins in .meltano/.
setup: $(VENV)/.installed
	$(PY) scripts/meltano_env.py install

demo: $(VENV)/.installed
	$(PY) scripts/demo.py

test: setup
	bash scripts/ensure_system_packages.sh
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .venv-sdk-next .venv-meltano .meltano output
