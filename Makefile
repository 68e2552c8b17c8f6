# Pháp lý cơ sở — every target creates .venv and installs requirements.txt first.
PY      := .venv/bin/python
VENV_OK := .venv/.installed

.PHONY: run web test server server-stop bench bench-quick system-deps package clean

$(VENV_OK): requirements.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $(VENV_OK)

## make run: open the app (desktop window when the Flet desktop client is present, else the browser)
run: $(VENV_OK)
	$(PY) main.py

## make web: serve the app to a browser on port 8550
web: $(VENV_OK)
	$(PY) main.py --web --port 8550

## make system-deps: Debian packages the tests need (PostgreSQL, Chromium, poppler, fonts)
system-deps:
	bash .ci/system-deps.sh

## make test: install what is missing, then run every test (the README's test command)
test: $(VENV_OK) system-deps
	$(PY) -m pytest -q

## make server: local PostgreSQL + Kinto on 127.0.0.1 for development and demos
server: $(VENV_OK) system-deps
	bash server/dev.sh up

server-stop:
	bash server/dev.sh down

## make bench: the full benchmark suite (results in bench/results/)
bench: $(VENV_OK) system-deps
	$(PY) -m bench.run --full

bench-quick: $(VENV_OK) system-deps
	$(PY) -m bench.run --quick

## make package: a standalone desktop build that starts offline (needs flet-cli, i.e. a machine with internet)
package: $(VENV_OK)
	$(PY) -m pip install -q flet-cli==1.0.5
	.venv/bin/flet pack main.py --name phap-ly-co-so --icon assets/icon.png --add-data "assets:assets" \
		--product-name "Pháp lý cơ sở" --onedir -y

clean:
	rm -rf .venv .pytest_cache
