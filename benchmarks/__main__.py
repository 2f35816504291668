"""Entry point: ``python -m benchmarks [answer=value ...]`` (see `benchmarks.run`)."""

from benchmarks.run import main

main()
