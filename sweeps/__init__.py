"""The sweep engine, below the domain: a sweep's batches over indexed due columns, each its
own transaction, until nothing is due or the time budget is spent, and the record of its
last run (what the clock health reports). It knows no domain model; each app keeps its own
sweeps (cases: SLA, tasks, unpark; flows: SOP clocks, SPD, refund TAT; payouts: leases)."""
