"""Dev-only data: the demo world `make run` loads (load_demo) and bulk data for benchmarks
(generate_load). Not part of the product's domain."""
