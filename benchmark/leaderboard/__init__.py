"""The cross-validated leaderboard: read from the study storage only (nothing re-run), a locked-test
finalization that is the only reader of the test records, factor analysis and an HTML report."""
