// The tests share one stack (one ledger, the operator's admission ratio, table locks in the fault tests): run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
