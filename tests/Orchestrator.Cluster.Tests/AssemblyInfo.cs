// Every test here starts its own PostgreSQL server and several .NET processes: run them one at a time, so that on a
// 2-core machine a test's timeouts measure the system under test, not its neighbours.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
