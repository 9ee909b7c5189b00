"""The law as data: the rule format (schema), the official record beside the articles (record), the
items the engine judges (rulebase) and the loader that reads, validates, merges and compiles
them.
"""
