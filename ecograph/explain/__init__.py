"""Findings in plain language: the sentences, Markdown and HTML that the command line and the explorer share.

Analyses return data; each family of findings is put into words here, once, and every
front end renders what these functions return. Nothing here computes an analysis.
"""

from ecograph.explain.period import period_sentence

__all__ = ["period_sentence"]
