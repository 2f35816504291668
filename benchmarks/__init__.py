"""Benchmarks of baked projects against baselines, run side by side: ``python -m benchmarks``.

`run` (this interpreter) bakes the projects, builds each function's package as `sam build`
would, and writes BENCHMARKS.md; `measure` runs inside the baked project's environment and
drives every function through the real runtime client (the project's local/runtime.py).
"""
