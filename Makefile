# Pháp lý cơ sở — every target creates .venv and installs what it needs first:
#   make run / make web  -> the app's requirements only (requirements.txt)
#   make server          -> + the sync server's (server/requirements.txt)
#   make test / bench    -> + tests' and benchmarks' (requirements-dev.txt)
PY       := .venv/bin/python
APP_OK   := .venv/.installed-app
SERVER_OK:= .venv/.installed-server
DEV_OK   := .venv/.installed-dev


.PHONY: run web test server server-stop bench bench-quick system-deps package screenshots clean

.venv/bin/python:
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip

$(APP_OK): requirements.txt | .venv/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(SERVER_OK): requirements.txt server/requirements.txt | .venv/bin/python
	$(PY) -m pip install -q -r server/requirements.txt
	touch $@ $(APP_OK)

$(DEV_OK): requirements.txt server/requirements.txt requirements-dev.txt | .venv/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(SERVER_OK) $(APP_OK)

## make run: open the app (desktop window when the Flet desktop client is present, else the browser)
run: $(APP_OK)
	$(PY) main.py

## make web: serve the app to a browser on port 8550
web: $(APP_OK)
	$(PY) main.py --web --port 8550

## make system-deps: Debian packages the tests need (PostgreSQL, Chromium, poppler, fonts)
system-deps:
	bash .ci/system-deps.sh

## make test: install what is missing, then run every test (the README's test command)
test: $(DEV_OK) system-deps
	$(PY) -m ruff check .
	$(PY) -m pytest -q

## make server: local PostgreSQL + Kinto on 127.0.0.1 for development and demos
server: $(SERVER_OK) system-deps
	bash server/dev.sh up

server-stop:
	bash server/dev.sh down

## make bench: the full benchmark suite (results in bench/results/)
bench: $(DEV_OK) system-deps
	$(PY) -m bench.run --full

bench-quick: $(DEV_OK) system-deps
	$(PY) -m bench.run --quick

## make screenshots: refresh the committed README screenshots (docs/screenshots/) from the browser tests
screenshots: $(DEV_OK) system-deps
	PLCS_REFRESH_SCREENSHOTS=1 $(PY) -m pytest -q tests/e2e

## make package: a standalone desktop build that starts offline (needs flet-cli, i.e. a machine with internet)
package: $(APP_OK)
	$(PY) -m pip install -q flet-cli==1.0.5
	.venv/bin/flet pack main.py --name phap-ly-co-so --icon assets/icon.png --add-data "assets:assets" \
		--product-name "Pháp lý cơ sở" --onedir -y

clean:
	rm -rf .venv .pytest_cache
