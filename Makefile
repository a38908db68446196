# The two commands of the README: `make run` and `make test`.
.PHONY: run test setup setup-test lint bench screenshots

run: setup
	.venv/bin/inkan init
	.venv/bin/inkan serve --host 127.0.0.1 --port 8000

test: setup-test
	.venv/bin/ruff check .
	.venv/bin/mypy  # engine/ handlers/ registry/ juki/, as [tool.mypy] in pyproject.toml says
	.venv/bin/pytest -n 2 --dist loadfile --no-loadscope-reorder -q  # long files first: conftest.py

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

lint:
	.venv/bin/ruff check .
	.venv/bin/mypy

# Refresh the committed screenshots under docs/ (tests otherwise write theirs to temporary folders).
screenshots: setup-test
	INKAN_SCREENSHOTS_DIR=$(CURDIR)/docs .venv/bin/pytest -q -n 0 -p no:randomly -m browser -k sqlite tests/browser

bench: setup-test
	.venv/bin/python bench/engine_task.py
	.venv/bin/python bench/inbox_page.py
	.venv/bin/python bench/login_timing.py
