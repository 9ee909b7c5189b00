"""Output: the terminal views (the only package that talks to rich), the pictures (SVG and the HTML
report) and citations.
"""
