"""The five SOPs as pure decision functions: parameters in, Decision out. Nothing here touches
the database, a request or the clock (an import-linter contract keeps it so)."""
