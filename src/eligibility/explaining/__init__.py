"""Explaining judgements: the report models, the reasons and caveats, the causes of changes over
time, and reports as rows (tables).
"""
