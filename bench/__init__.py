"""Benchmarks: jobgate's overhead as ratios against raw Flask and raw RQ baselines.

Run `python -m bench --help`. Not tests: nothing here asserts on time.
"""
