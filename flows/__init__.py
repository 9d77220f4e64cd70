"""The SOP-flow engine: decide a case with an SOP scenario and carry the decision out across
cases and payouts. The flow table (table/), what each flow asks (inputs) and what the records
fill (fills, context), the runner and its handler table (runner, handlers/), revisit and OOS
intake, and the API and console pages for them."""
