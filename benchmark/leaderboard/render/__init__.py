"""What a reader sees: cells as text (:mod:`~benchmark.leaderboard.render.cells`, shared by the page
and the terminal) and the self-contained HTML page (:mod:`~benchmark.leaderboard.render.page`)."""
