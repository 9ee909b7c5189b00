"""Exploring a person across time and alternatives: periods over time, changes between two days,
and alternatives (what-if, make-apply).
"""
