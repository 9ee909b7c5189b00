"""Judging a profile on a day: what each condition test answers (predicates), in force on a day
(validity), the registry of condition kinds, the durable_rules engine (the only module that
talks to it) and the evaluator that checks it against the Python fold.
"""
