# suiji — Makefile. Two commands for a newcomer: `make demo` and `make test`.
# The Pelican targets (html, clean, serve, publish) follow Pelican's own conventions.

PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PELICAN = $(BIN)/pelican
BASEDIR = $(CURDIR)
INPUTDIR = $(BASEDIR)/content
OUTPUTDIR = $(BASEDIR)/output
CONFFILE = $(BASEDIR)/pelicanconf.py
PUBLISHCONF = $(BASEDIR)/publishconf.py
DEMO_DIR ?= $(BASEDIR)/demo

.PHONY: help venv npm demo test lint typecheck pytest bench html clean regenerate serve publish

help:
	@echo "make demo   — 安装并运行示例县的完整年度演示 (install, then run the example year into ./demo)"
	@echo "make test   — 运行全部检查与测试 (ruff, mypy, pytest)"
	@echo "make html | serve | publish | clean — Pelican site targets"
	@echo "make bench  — 运行基准测试 (benchmarks/)"

STAMP = $(VENV)/.suiji-installed

# The stamp is written only after a complete install, so a broken .venv from an earlier,
# interrupted attempt is rebuilt from scratch instead of reused.
$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "需要 Python ≥ 3.11（当前：$$($(PY) --version 2>&1)）；请安装后用 make PY=python3.11 重试 (Python 3.11 or newer is required)"; \
	  exit 1; }
	rm -rf $(VENV)
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(STAMP)

# The pinned npm packages (esbuild, @noble/*, axe-core) from package-lock.json: suiji build
# bundles the browser verifier (verifier.html) with them. Reinstalled when the lock changes.
NPM_STAMP = node_modules/.package-lock.json
$(NPM_STAMP): package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "需要 Node.js 和 npm 来构建浏览器核验页 verifier.html；请安装后重试 make demo (Node.js and npm are required)"; \
	  exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

npm: $(NPM_STAMP)

demo: venv npm
	$(BIN)/suiji demo $(DEMO_DIR) --force
	$(BIN)/suiji --root $(DEMO_DIR) build --settings $(CONFFILE)
	@echo "演示完成：$(DEMO_DIR)  (demo finished; see $(DEMO_DIR))"
	@echo "演示网站：$(DEMO_DIR)/output/  本地预览：$(BIN)/suiji --root $(DEMO_DIR) serve ，然后在浏览器打开 http://localhost:8000/"
	@echo "运行 suiji：$(BIN)/suiji --root $(DEMO_DIR) verify --allow-demo  （或先 . $(BIN)/activate）"

lint: venv
	$(BIN)/ruff check scripts tests benchmarks pelicanconf.py publishconf.py
	$(BIN)/ruff format --check scripts tests benchmarks pelicanconf.py publishconf.py

typecheck: venv
	$(BIN)/mypy scripts/suiji

pytest: venv
	$(BIN)/pytest

test: lint typecheck pytest

bench: venv
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

html: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE)

clean:
	[ ! -d "$(OUTPUTDIR)" ] || rm -rf "$(OUTPUTDIR)"

regenerate: venv
	$(PELICAN) -r $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE)

serve: venv
	$(PELICAN) -l $(INPUTDIR) -o $(OUTPUTDIR) -s $(CONFFILE)

publish: venv
	$(PELICAN) $(INPUTDIR) -o $(OUTPUTDIR) -s $(PUBLISHCONF)
