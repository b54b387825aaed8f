// The timing tests (scheduler rate within 2%) must not share the two cores with the CPU-heavy ones.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
