# Every target sets itself up: a fresh clone needs only `make demo` or `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
VENV := .venv
BIN := $(VENV)/bin
# dbt and dagster-dbt look for `dbt` on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
comma := ,
# pip on some machines warns about local index folders it cannot see; the warnings are noise.
PIP_QUIET := grep -v -e "^WARNING: Location" -e "^\s*$$" || true
PIP_INSTALL = $(BIN)/pip install -q --upgrade pip 2>&1 | $(PIP_QUIET); $(BIN)/pip install -q -e '.[$(1)]' 2>&1 | $(PIP_QUIET)
# The project with the extras $(1). uv installs the ~150 packages in ~13 s, pip in ~25 s. Both compile the
# bytecode: where Python may not write it (PYTHONDONTWRITEBYTECODE, as on this CI), every process would compile
# dagster again (+1.5 s each). uv does not read pip's configuration: where it names a package index of its own (a
# company's mirror, say) pip installs from it, and so it does wherever uv cannot install.
INSTALL = if $(BIN)/pip config list 2>/dev/null | grep '\.index-url=' > /dev/null; then \
		echo "pip's configuration names a package index: pip installs the packages from it"; \
		$(call PIP_INSTALL,$(1)); \
	else \
		$(BIN)/pip install -q uv 2>&1 | $(PIP_QUIET); \
		$(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -e '.[$(1)]' || { \
			echo "uv could not install the packages; pip installs them instead"; \
			$(call PIP_INSTALL,$(1)); }; \
	fi

.PHONY: install demo test test-spark dev lint backfill clean

# PUMP_COSTS_ENGINE=spark: what Spark needs first. Spark in the run's process (the project's own profile): Java 17 and
# the spark extra. A cluster's profile (PUMP_COSTS_DBT_PROFILES_DIR): only its client, the spark-cluster extra.
ENGINE_NEEDS := $(if $(filter spark,$(PUMP_COSTS_ENGINE)),$(if $(PUMP_COSTS_DBT_PROFILES_DIR),\
	$(BIN)/.spark-cluster-installed,$(JAVA) $(BIN)/.spark-installed))

# The report test opens the spend report in Debian's Chromium, driven by Playwright (no browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	@$(call INSTALL,dev)
	$(BIN)/python -c "import pump_costs, dagster, dagster_dbt, dbt.version"
	touch $@

# @dbt_assets reads the manifest at import; rebuild it whenever the dbt project changes.
MANIFEST := dbt_project/target/manifest.json
$(MANIFEST): $(BIN)/.installed dbt_project/dbt_project.yml $(shell find dbt_project/models dbt_project/macros dbt_project/tests dbt_project/seeds -type f 2>/dev/null)
	$(BIN)/dagster-dbt project prepare-and-package --file pump_costs/defs/dbt/project.py

install: $(BIN)/.installed $(MANIFEST) $(ENGINE_NEEDS)

# The production test runs a real PostgreSQL (Debian's, started in a temporary folder as its own user).
POSTGRES := $(or $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb)),/usr/lib/postgresql/15/bin/initdb)
$(POSTGRES):
	$(SUDO) apt-get install -y -q postgresql >/dev/null || \
		($(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q postgresql >/dev/null)

$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium >/dev/null || \
		($(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q chromium >/dev/null)

# The pipeline on Apache Spark (PUMP_COSTS_ENGINE=spark): Java 17 from Debian's packages, the spark extra.
JAVA := /usr/bin/java
$(JAVA):
	$(SUDO) apt-get install -y -q openjdk-17-jre-headless >/dev/null || \
		($(SUDO) apt-get update -q >/dev/null && $(SUDO) apt-get install -y -q openjdk-17-jre-headless >/dev/null)

# The project with the extra the stamp names, as well: .spark-installed, .spark-cluster-installed.
$(BIN)/.%-installed: $(BIN)/.installed
	@$(call INSTALL,dev$(comma)$*)
	touch $@

demo: install
	$(BIN)/pump-costs demo

test: lint $(CHROMIUM) $(POSTGRES)
	$(BIN)/pytest

# Each test in a process of its own: a process's Spark keeps the metastore and warehouse folder of the first data
# folder that started it. Every test runs; the target fails if one failed, or if none was collected.
test-spark: install $(JAVA) $(BIN)/.spark-installed
	@tests=$$($(BIN)/pytest -m spark -n 0 -q --collect-only | grep '::') || \
		{ echo "make test-spark: no Spark test was collected (see pytest -m spark --collect-only)"; exit 1; }; \
	failed=0; for test in $$tests; do $(BIN)/pytest -m spark -n 0 "$$test" || failed=1; done; exit $$failed

dev: install
	$(BIN)/pump-costs dev

backfill: install
	$(BIN)/pump-costs backfill --days $${DAYS:-365}

lint: install
	$(BIN)/ruff check pump_costs tests benchmarks
	$(BIN)/ruff format --check pump_costs tests benchmarks
	# Most of sqlfluff's time is parsing the compiled SQL: two processes take ~20 s here, one ~35 s.
	cd dbt_project && ../$(BIN)/sqlfluff lint --processes 2 models tests

clean:
	rm -rf $(VENV) data/demo
