"""Policy backtesting: replay the stored decisions of a period under a candidate policy version
and show what would have changed (outcomes, money, workload), before it is activated."""
