"""Foundations: the words answers are given in, three-valued logic, dates, countries, errors,
reading files, and one-line validation errors. They import nothing else of the package.
"""
