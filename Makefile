.PHONY: run test train bench bootstrap clean
PY := .venv/bin/python

bootstrap:
	@bash scripts/bootstrap.sh

run: bootstrap
	@$(PY) -m bot run

# The timestamps let scripts/timings.py print the split (install, train, pytest, ...) at the end.
test:
	@mkdir -p results && date +%s > results/.started
	@bash scripts/bootstrap.sh
	@date +%s > results/.installed
	@bash scripts/test.sh

train: bootstrap
	@bash scripts/train.sh

bench: bootstrap
	@$(PY) bench/run_bench.py

clean:
	rm -rf var models results
