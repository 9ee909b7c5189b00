"""Runners: a population in batch (and on Dask), synthetic populations, scenario files, the rule-
base checker, the proof of quotes against the sources, and the pytest plugin.
"""
