"""Psychometrics: item analysis, reliability (alpha, omega), EFA, CFA and measurement invariance."""
