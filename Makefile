.PHONY: run test bench bootstrap clean
PY := .venv/bin/python

bootstrap:
	@bash scripts/bootstrap.sh

run: bootstrap
	@$(PY) -m bot run

test: bootstrap
	@bash scripts/test.sh

bench: bootstrap
	@$(PY) bench/run_bench.py

clean:
	rm -rf var models results
