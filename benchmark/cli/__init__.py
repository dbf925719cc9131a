"""The command line: the ``ecg-bench`` console script and options every command shares
(:mod:`~benchmark.cli.main`), the cohort options (:mod:`~benchmark.cli.cohort_options`), and what a
command loads (:mod:`~benchmark.cli.experiment`). The ``python -m`` entry points are
:mod:`benchmark.search`, :mod:`benchmark.reproduce`, ``benchmark.leaderboard`` and ``benchmark.data``.
"""
