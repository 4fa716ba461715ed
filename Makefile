# A fresh clone needs two commands (README, "Quick start"):
#   make demo   simulated Braze -> meltano run tap-braze-sends target-duckdb -> a summary
#   make test   the whole test suite (installs PostgreSQL's server binaries if missing)
# Each step is skipped when already done: the venv is reinstalled only when pyproject.toml
# changes, Meltano's plugins only when meltano.yml or pyproject.toml do.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# uv installs the venvs (Meltano installs its plugins with it too): seconds where pip takes
# tens of them. It reads PyPI (and UV_* settings), not pip's configuration.
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
PYTEST_ARGS ?= -n 6
# The oldest singer-sdk that pyproject.toml's pin admits (its lower bound): .venv runs on it,
# and .ci/run also runs the CLI tests on the newest the pin admits (.venv-sdk-next).
SDK_OLDEST := 0.54.9

.PHONY: setup demo test lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(UV): | $(PY)
	$(PY) -m pip install -q 'uv==$(UV_VERSION)'

$(VENV)/.installed: pyproject.toml simulator/pyproject.toml | $(UV)
	$(UV) pip install -q --compile-bytecode --python $(PY) -e '.[dev]' -e ./simulator 'singer-sdk==$(SDK_OLDEST)'
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
	rm -rf $(VENV) .venv-sdk-next .venv-meltano .meltano output transform/target transform/logs transform/dbt_packages
